/**
 * A - B, cell by cell, for two attention maps of the same shape (the same text through two models), and the
 * largest |A - B| for the colour scale. Null when the shapes differ (nothing to subtract).
 */
export function difference(
  a: { values: Float32Array; size: number },
  b: { values: Float32Array; size: number },
): { values: Float32Array; maxAbs: number } | null {
  if (a.size !== b.size || a.values.length !== b.values.length) return null;
  const values = new Float32Array(a.values.length);
  let maxAbs = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = a.values[i] - b.values[i];
    maxAbs = Math.max(maxAbs, Math.abs(values[i]));
  }
  return { values, maxAbs };
}
