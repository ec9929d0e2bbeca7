/**
 * A heatmap larger than its scrolling frame draws only the cells the frame shows (and a margin around them):
 * at 2048 tokens the whole map is 4M cells, 16 MB of canvas to colour, upload and composite on every
 * keystroke, of which a frame shows about a thirtieth. Scrolling redraws when it reaches the margin.
 */

/** Rows [r0, r1) and columns [c0, c1) of a matrix. */
export interface CellWindow {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
}

/** The part of the cells' area that is on screen, in CSS pixels from the first cell's corner. */
export interface Visible {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Windows are widened to multiples of this many cells, so that scrolling a little keeps the same window. */
export const BLOCK = 64;

/**
 * The cells to draw of a rows x cols matrix drawn `cell` CSS pixels per cell, of which `visible` is on screen:
 * the visible cells and at least `pad` more on each side, widened to multiples of BLOCK and clamped to the
 * matrix. All of it when nothing is known about what is visible (no scrolling frame, or not measured yet).
 */
export function cellWindow(
  visible: Visible | null,
  cell: number,
  rows: number,
  cols: number,
  pad = BLOCK / 2,
): CellWindow {
  if (!visible || !(cell > 0)) return { r0: 0, r1: rows, c0: 0, c1: cols };
  const span = (from: number, to: number, n: number): [number, number] => {
    const lo = Math.floor((Math.floor(from / cell) - pad) / BLOCK) * BLOCK;
    const hi = Math.ceil((Math.ceil(to / cell) + pad) / BLOCK) * BLOCK;
    const a = Math.min(n, Math.max(0, lo));
    return [a, Math.max(a, Math.min(n, hi))];
  };
  const [r0, r1] = span(visible.top, visible.bottom, rows);
  const [c0, c1] = span(visible.left, visible.right, cols);
  return { r0, r1, c0, c1 };
}

/** The nearest ancestor of `el` that scrolls its overflow (not the page itself), or null. */
export function scrollParent(el: Element): HTMLElement | null {
  const root = el.ownerDocument;
  for (let p = el.parentElement; p && p !== root.body && p !== root.documentElement; p = p.parentElement) {
    const style = getComputedStyle(p);
    if (/auto|scroll/.test(`${style.overflowX} ${style.overflowY}`)) return p;
  }
  return null;
}

/**
 * Report the part of `box` that `scroller` shows (in `box`'s CSS pixels, from its top-left corner) once laid
 * out, and whenever the scroller scrolls or changes size; returns the function that stops watching. Positions are read in
 * scroll events and resize observations, where layout is up to date, never after the page has changed the DOM.
 */
export function watchVisible(
  box: HTMLElement,
  scroller: HTMLElement,
  onchange: (visible: Visible) => void,
): () => void {
  let last: Visible | null = null;
  const measure = () => {
    const b = box.getBoundingClientRect();
    const s = scroller.getBoundingClientRect();
    const left = s.left + scroller.clientLeft - b.left;
    const top = s.top + scroller.clientTop - b.top;
    const v = { left, top, right: left + scroller.clientWidth, bottom: top + scroller.clientHeight };
    if (
      last &&
      v.left === last.left &&
      v.top === last.top &&
      v.right === last.right &&
      v.bottom === last.bottom
    )
      return;
    last = v;
    onchange(v);
  };
  scroller.addEventListener('scroll', measure, { passive: true });
  // The first measure comes from the observer's first report, after layout: measuring here, inside the
  // caller's effect, would change its state in the middle of a flush.
  // Only the frame: the box changes size on every keystroke (one more token) without moving in the frame.
  const resized = new ResizeObserver(measure);
  resized.observe(scroller);
  return () => {
    scroller.removeEventListener('scroll', measure);
    resized.disconnect();
  };
}
