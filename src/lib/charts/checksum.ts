/**
 * A position-weighted sum of a heatmap's values, shown as data-checksum so a test can tell that the drawn
 * numbers are the ones the page reports (a plain sum would not do: every attention row sums to 1).
 * Recompute it from the same float32 values in the same order to get the same string.
 */
export function checksum(values: ArrayLike<number>): string {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * ((i % 97) + 1);
  return s.toFixed(6);
}
