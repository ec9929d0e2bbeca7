/**
 * Induction scores on a repeated sequence (PROBE_DEFINITIONS §2.2).
 *
 * Layout: `start` leading tokens (0, or 1 for a BOS), then a block of `n` tokens, then the block again (or
 * more repeats). A query i in a later copy holds the same token as i - n; an induction head attends to the
 * token that followed that earlier copy, key i - n + 1.
 */

/**
 * The clean score: mean of `A[i, i-n+1]` over every query i in the later copies, `i = start+n .. T-1`. For
 * `x` of length 2n without BOS this is `mean_{i=n..2n-1} A[i, i-n+1]`, the `induction` of the JSON output.
 */
export function inductionScore(A: ArrayLike<number>, T: number, n: number, start = 0): number {
  if (n < 1 || start + n >= T) return NaN;
  let s = 0;
  for (let i = start + n; i < T; i++) s += A[i * T + i - n + 1];
  return s / (T - start - n);
}

/**
 * The ARENA / TransformerLens-demo score: the mean of the whole diagonal at offset 1-n,
 * `pattern.diagonal(offset=1-n)`, entries `i = n-1 .. T-1`. It includes first-copy entries that are not
 * induction targets ((n-1, 0), and (n, 1) with BOS), so a perfect head that rests on BOS scores (n+1)/(n+2).
 * Reported as "ARENA-compatible" next to the clean score.
 */
export function arenaInductionScore(A: ArrayLike<number>, T: number, n: number): number {
  if (n < 1 || n - 1 >= T) return NaN;
  let s = 0;
  for (let i = n - 1; i < T; i++) s += A[i * T + i - n + 1];
  return s / (T - n + 1);
}
