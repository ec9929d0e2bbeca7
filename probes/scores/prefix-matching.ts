/**
 * Olsson et al.'s prefix-matching score (PROBE_DEFINITIONS §2.3.2) on a block of period P repeated after
 * `start` leading tokens (SOS at 0 gives start = 1). A destination p in block b >= 1 has the targets
 * S(p) = { p - mP + 1 : m = 1..b }: the token after each earlier copy of x_p.
 *   (b) recommended: mean over destinations of the attention summed over all targets (range [0, 1]);
 *   (c) most recent copy only: mean over destinations of A[p, p - P + 1];
 *   (a) literal: mean over all (p, s) target entries (cannot reach the paper's values; for checking only).
 * A: one head's [T, T] row-major pattern.
 */
export interface PrefixMatching {
  all_copies: number;
  recent_copy: number;
  mean_of_entries: number;
}

export function prefixMatching(A: ArrayLike<number>, T: number, P: number, start = 0): PrefixMatching {
  let sumB = 0;
  let sumC = 0;
  let sumA = 0;
  let dests = 0;
  let entries = 0;
  for (let p = start + P; p < T; p++) {
    const b = Math.floor((p - start) / P);
    let s = 0;
    for (let m = 1; m <= b; m++) {
      const v = A[p * T + p - m * P + 1];
      s += v;
      sumA += v;
      entries++;
    }
    sumB += s;
    sumC += A[p * T + p - P + 1];
    dests++;
  }
  if (dests === 0) return { all_copies: NaN, recent_copy: NaN, mean_of_entries: NaN };
  return { all_copies: sumB / dests, recent_copy: sumC / dests, mean_of_entries: sumA / entries };
}
