/**
 * Whether the page shows checksums: a browser test asks for them by setting `window.__SMALLSCOPE_CHECKSUMS__ =
 * true` before the page loads (page.addInitScript). Users never read them, and at 2048 tokens they cost ~20 ms
 * of CPU per keystroke (every value of every drawn map), so the page does not compute them otherwise.
 */
export const checksumsWanted = (): boolean =>
  (globalThis as { __SMALLSCOPE_CHECKSUMS__?: boolean }).__SMALLSCOPE_CHECKSUMS__ === true;

/**
 * A position-weighted sum of a heatmap's values, shown as data-checksum so a test can tell that the drawn
 * numbers are the ones the page reports (a plain sum would not do: every attention row sums to 1).
 * Recompute it from the same float32 values in the same order to get the same string.
 */
export function checksum(values: ArrayLike<number>): string {
  const known = sums.get(values);
  if (known !== undefined) return known;
  let s = 0;
  // values[i] * ((i % 97) + 1), summed in order, with the weight counted instead of a modulo per value.
  for (let i = 0, w = 1; i < values.length; i++, w = w === 97 ? 1 : w + 1) s += values[i] * w;
  const sum = s.toFixed(6);
  sums.set(values, sum);
  return sum;
}

/** The checksum of `values` if it was computed already. */
export const knownChecksum = (values: ArrayLike<number>): string | undefined => sums.get(values);

/** Checksums of arrays seen (the page shows one head twice); values arrays are never changed in place. */
const sums = new WeakMap<ArrayLike<number>, string>();
