import { factoredRatio } from '../conv/qk-circuit';
import { matmul } from '../conv/smear';

/**
 * Copying scores (PROBE_DEFINITIONS §2.3.3).
 *
 * (ii) Eigenvalue statistic: for the OV circuit M = W_E [W_tau^T] W_V W_O W_U (vocab x vocab, row-vector
 * convention), sum(lambda) / sum(|lambda|) in [-1, 1]. M = A B with A = W_E W_tau^T W_V [V, d_head] and
 * B = W_O W_U [d_head, V], so the eigenvalues come from the d_head x d_head matrix B A.
 *
 * (i) Activation evaluator, reconstructed reading: r = ReLU(l - mean(l)) of the head's direct-path logits
 * at one position, ratio = r[a] / (r[a] + sum_{u in sample} r[u]) in [0, 0.5] for the attended token a, and
 * the score is 4 mean(ratio) - 1 in [-1, 1]. NaN when the denominator is 0.
 */

/** sum(lambda)/sum(|lambda|) of M = A B, A [n, k], B [k, n] (row-major), via the k x k matrix B A. */
export function ovEigenRatio(a: Float64Array, b: Float64Array, n: number, k: number): number {
  return factoredRatio(a, b, n, k).eig_ratio;
}

/** A = E [V, d] x each factor in turn (row-vector matrices given with their column counts). */
export function chain(
  e: Float64Array,
  rows: number,
  cols: number,
  factors: { data: Float64Array; cols: number }[],
) {
  let m = e;
  let c = cols;
  for (const f of factors) {
    m = matmul(m, f.data, rows, c, f.cols);
    c = f.cols;
  }
  return { data: m, cols: c };
}

export function copyingRatio(logits: ArrayLike<number>, attended: number, sample: readonly number[]): number {
  let mean = 0;
  for (let i = 0; i < logits.length; i++) mean += logits[i] / logits.length;
  const r = (u: number) => Math.max(0, logits[u] - mean);
  const others = sample.reduce((s, u) => s + r(u), 0);
  const denom = r(attended) + others;
  return denom > 0 ? r(attended) / denom : NaN;
}

/** 4 mean(ratio) - 1 over positions (NaN ratios skipped). */
export function copyingScore(ratios: readonly number[]): number {
  const ok = ratios.filter((r) => !Number.isNaN(r));
  return ok.length ? (4 * ok.reduce((a, b) => a + b, 0)) / ok.length - 1 : NaN;
}
