/** A cell: query row q, key column k. */
export interface Cursor {
  q: number;
  k: number;
}

const MOVES: Record<string, [number, number]> = {
  ArrowUp: [-1, 0],
  ArrowDown: [1, 0],
  ArrowLeft: [0, -1],
  ArrowRight: [0, 1],
};

/**
 * A heatmap's keyboard model: arrow keys move the cursor (from the top-left cell when there is none) within
 * rows x cols, Enter or Space pins or unpins it, Escape clears it. The new cursor state, or null for a key
 * that means nothing (left to the browser).
 */
export function cursorKey(
  key: string,
  hover: Cursor | null,
  pinned: boolean,
  rows: number,
  cols: number,
): { hover: Cursor | null; pinned: boolean } | null {
  if (key === 'Enter' || key === ' ') return { hover: hover ?? { q: 0, k: 0 }, pinned: !pinned };
  if (key === 'Escape') return { hover: null, pinned: false };
  const move = MOVES[key];
  if (!move) return null;
  const at = hover ?? { q: 0, k: 0 };
  const clamp = (v: number, n: number) => Math.min(n - 1, Math.max(0, v));
  return { hover: { q: clamp(at.q + move[0], rows), k: clamp(at.k + move[1], cols) }, pinned };
}
