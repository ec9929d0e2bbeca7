/** The Prioritized Task Scheduling API where the browser has it (Chromium; TypeScript's DOM types lack it). */
interface Scheduler {
  postTask?(task: () => void, options: { priority: 'background' }): Promise<unknown>;
}
const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;

/** The calls waiting for the next frame, run together in the order they were made. */
let batch: (() => void)[] | null = null;

/**
 * Run `f` once the next frame is painted (or after 100 ms, where a hidden tab paints no frames): for work that
 * must follow what a keystroke shows, not delay it. Calls run in the order they were made.
 *
 * After the frame they run as a background task, which yields to every other task queued meanwhile (input,
 * a measuring probe such as bench/app-latency's end-of-frame message); a timeout set during the frame would
 * run before tasks queued after it.
 */
export function afterPaint(f: () => void): void {
  if (batch) return void batch.push(f);
  const mine = [f];
  batch = mine;
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    if (batch === mine) batch = null;
    // One failing call must not stop the others (each had a task of its own before): its error is reported.
    for (const g of mine)
      try {
        g();
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
  };
  requestAnimationFrame(() =>
    scheduler?.postTask
      ? void scheduler.postTask(run, { priority: 'background' }).catch(() => {})
      : setTimeout(run, 0),
  );
  setTimeout(run, 100);
}
