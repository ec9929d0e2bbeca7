import { eigenvalues } from '../linalg/eigenvalues';
import { matmul, transpose } from './smear';

/**
 * S7 of the smeared-key statistics (PROBE_DEFINITIONS §3.3): the token-level QK circuit through two conv
 * taps, M = E Q_a^T K_b E^T (vocab x vocab). With a = cur and b = prev it is the prefix-matching term M_pre:
 * M_pre[x, y] is the score a query on token x gives a key whose previous token is y, so an induction head
 * built on smeared keys has a strongly positive, diagonal M_pre. With b = cur it is M_dup (duplicate-token).
 *
 * Eigenvalues come from the d_head x d_head matrix (K_b E^T)(E Q_a^T), which has the same nonzero
 * eigenvalues as M (the BA trick). The scale 1/sqrt(d_head) is not applied: ratios and accuracy do not
 * depend on it, the trace does.
 */
export interface QkCircuit {
  trace: number;
  /** sum(lambda) / sum(|lambda|), in [-1, 1]; NaN for a zero circuit */
  eig_ratio: number;
  /** fraction of query tokens x whose row argmax is x itself */
  top1_diag: number;
}

/**
 * e: the embedding table [vocab, d_in] row-major; qTap, kTap: [d_head, d_in] (W_Q^h W_a and W_K^h W_b).
 */
export function qkCircuit(
  e: Float64Array,
  vocab: number,
  dIn: number,
  qTap: Float64Array,
  kTap: Float64Array,
  dHead: number,
): QkCircuit {
  const a = matmul(e, transpose(qTap, dHead, dIn), vocab, dIn, dHead); // [V, dh]
  const b = matmul(kTap, transpose(e, vocab, dIn), dHead, dIn, vocab); // [dh, V]
  return {
    ...factoredRatio(a, b, vocab, dHead),
    top1_diag: top1Diagonal(matmul(a, b, vocab, dHead, vocab), vocab),
  };
}

/** trace and sum(l)/sum(|l|) of M = A B (A [n, k], B [k, n]) from the k x k matrix B A. */
export function factoredRatio(
  a: Float64Array,
  b: Float64Array,
  n: number,
  k: number,
): { trace: number; eig_ratio: number } {
  const small = matmul(b, a, k, n, k);
  let trace = 0;
  for (let i = 0; i < k; i++) trace += small[i * k + i];
  let eig: ReturnType<typeof eigenvalues>;
  try {
    eig = eigenvalues(small, k);
  } catch {
    // QR did not converge (extreme magnitudes from corrupt weights): the score is undefined, not a crash.
    return { trace, eig_ratio: NaN };
  }
  const { re, im } = eig;
  let sum = 0;
  let abs = 0;
  for (let i = 0; i < k; i++) {
    sum += re[i];
    abs += Math.hypot(re[i], im[i]);
  }
  return { trace, eig_ratio: abs > 0 ? sum / abs : NaN };
}

/** Fraction of rows whose largest entry is on the diagonal (ties go to the first index). */
export function top1Diagonal(m: Float64Array, n: number): number {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (m[i * n + j] > m[i * n + best]) best = j;
    if (best === i) hits++;
  }
  return hits / n;
}
