/** What a difference needs of a map: its weights and its shape (rows = queries or output steps, cols = keys). */
export interface Shaped {
  values: Float32Array;
  rows: number;
  cols: number;
}

/**
 * A - B, cell by cell, for two attention maps of the same shape (the same text through two models), and the
 * largest |A - B| for the colour scale. Null when the shapes differ (nothing to subtract): a self-attention
 * map against a cross-attention one, or two cross-attention maps with different numbers of output steps.
 */
export function difference(a: Shaped, b: Shaped): { values: Float32Array; maxAbs: number } | null {
  if (a.rows !== b.rows || a.cols !== b.cols || a.values.length !== b.values.length) return null;
  const values = new Float32Array(a.values.length);
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = a.values[i] - b.values[i];
    maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  }
  return { values, maxAbs };
}
