import type { Tensor } from './tensor';

/**
 * Helpers over one attention pattern tensor [batch, head, query, key]. A single head's matrix is a row-major
 * T×T view `A[q * T + k]`, the form every score in scores/ takes.
 */

/**
 * Causal softmax of a T×T score matrix, as TransformerLens computes a pattern: keys after the query are masked
 * to -inf, each row is softmaxed, and a fully masked row's NaNs become 0 (that row sums to 0, not 1).
 */
export function causalSoftmax(S: ArrayLike<number>, T: number): Float64Array {
  const A = new Float64Array(T * T);
  for (let q = 0; q < T; q++) {
    let max = -Infinity;
    for (let k = 0; k <= q; k++) max = Math.max(max, S[q * T + k]);
    if (max === -Infinity) continue;
    let sum = 0;
    for (let k = 0; k <= q; k++) sum += A[q * T + k] = Math.exp(S[q * T + k] - max);
    for (let k = 0; k <= q; k++) A[q * T + k] /= sum;
  }
  return A;
}

/**
 * One head of one batch row as a T×T row-major view (no copy); Q×K (output steps × input positions) for
 * cross attention.
 */
export function headMatrix(p: Tensor, b: number, h: number): Float32Array {
  const [, heads, Q, K = Q] = p.dims;
  const start = (b * heads + h) * Q * K;
  return p.data.subarray(start, start + Q * K);
}

/** The pattern as nested arrays [batch][head][query][key], for JSON (query = output step for cross attention). */
export function nestedPattern(p: Tensor): number[][][][] {
  const [B, H, Q, T = Q] = p.dims;
  const out: number[][][][] = [];
  for (let b = 0; b < B; b++) {
    const heads: number[][][] = [];
    for (let h = 0; h < H; h++) {
      const A = headMatrix(p, b, h);
      heads.push(Array.from({ length: Q }, (_, q) => Array.from(A.subarray(q * T, q * T + T))));
    }
    out.push(heads);
  }
  return out;
}

/** Largest |row sum - 1| over every row of every head (rows of a softmax sum to 1); `rows` x T when not square. */
export function rowSumError(A: ArrayLike<number>, T: number, rows = T): number {
  let worst = 0;
  for (let q = 0; q < rows; q++) {
    let s = 0;
    for (let k = 0; k < T; k++) s += A[q * T + k];
    worst = Math.max(worst, Math.abs(s - 1));
  }
  return worst;
}

/** Largest |A[q, k]| with k > q: attention to the future, which a causal model must keep exactly 0. */
export function futureMass(A: ArrayLike<number>, T: number): number {
  let worst = 0;
  for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) worst = Math.max(worst, Math.abs(A[q * T + k]));
  return worst;
}

/**
 * Mean attention per relative offset k - q (0 = the query itself, -1 = the previous position), averaged over
 * the queries where that offset exists; the offsets sorted by that mean, largest first.
 */
export function topOffsets(A: ArrayLike<number>, T: number, count = 3): { offset: number; mean: number }[] {
  const sums = new Map<number, { s: number; n: number }>();
  for (let q = 0; q < T; q++) {
    for (let k = 0; k < T; k++) {
      const e = sums.get(k - q) ?? { s: 0, n: 0 };
      e.s += A[q * T + k];
      e.n += 1;
      sums.set(k - q, e);
    }
  }
  return [...sums]
    .map(([offset, { s, n }]) => ({ offset, mean: s / n }))
    .sort((a, b) => b.mean - a.mean || b.offset - a.offset)
    .slice(0, count);
}
