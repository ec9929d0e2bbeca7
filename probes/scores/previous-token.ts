/**
 * Previous-token score of one head (Olsson et al. 2022): the mean attention from each position to the one
 * before it, `mean_{i>=1} A[i, i-1]`. Row 0 has no previous position and is left out, so a perfect
 * previous-token head scores 1 (TransformerLens's `previous_token_head`/mul divides by T instead).
 *
 * A is one head's pattern, row-major T×T (query rows, key columns).
 */
export function previousTokenScore(A: ArrayLike<number>, T: number): number {
  if (T < 2) return NaN;
  let s = 0;
  for (let i = 1; i < T; i++) s += A[i * T + i - 1];
  return s / (T - 1);
}
