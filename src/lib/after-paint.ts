/**
 * Run `f` once the next frame is painted (or after 100 ms, where a hidden tab paints no frames): for work that
 * must follow what a keystroke shows, not delay it. Calls run in the order they were made.
 */
export function afterPaint(f: () => void): void {
  let done = false;
  const once = () => {
    if (!done) ((done = true), f());
  };
  requestAnimationFrame(() => setTimeout(once, 0));
  setTimeout(once, 100);
}
