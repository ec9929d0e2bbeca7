import { UsageError } from '../../format/errors';
import { objectiveValues } from '../field/objective';
import type { Tensor } from '../tensor';

/**
 * `smallscope probe saliency`: gradient x input per input token (Captum's InputXGradient summed over the
 * embedding dimension), s_i = sum_j e_ij d y / d e_ij, with e the embedding vectors the graph's lookup gives
 * (before anything is added to them) and y one logit at one position or the mean next-token cross-entropy
 * over the row. Plain arithmetic on a gradient a caller computed (exactly, or by finite differences).
 */
export type SaliencyTarget = { kind: 'logit'; position: number; token: number } | { kind: 'loss' };

export type SaliencyMethod =
  'exact (tfjs graph autodiff)' | 'central finite differences through ONNX Runtime';

export interface SaliencyResult {
  tokens: number[];
  /** each token as text (the tokenizer's piece, bytes shown as in the other probes) */
  strings: string[];
  /** the position y is read at; null for the loss */
  position: number | null;
  /** the logit's token and its text; null for the loss */
  target: { id: number; string: string } | null;
  objective: 'logit' | 'loss';
  /** y at the input */
  y: number;
  output: string;
  /** s_i = sum_j e_ij d y / d e_ij */
  scores: number[];
  /** || d y / d e_i ||_2 */
  gradient_norms: number[];
  method: SaliencyMethod;
  /** the finite-difference step; null for an exact gradient */
  eps: number | null;
  notes: string[];
}

/** Scores and gradient norms from e and d y / d e, both [pos, d] row-major. */
export function inputXGradient(
  e: ArrayLike<number>,
  grad: ArrayLike<number>,
  T: number,
): { scores: number[]; norms: number[] } {
  const d = e.length / T;
  const scores: number[] = [];
  const norms: number[] = [];
  for (let i = 0; i < T; i++) {
    let s = 0;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      s += e[i * d + j] * grad[i * d + j];
      sq += grad[i * d + j] ** 2;
    }
    scores.push(s);
    norms.push(Math.sqrt(sq));
  }
  return { scores, norms };
}

/** The output vector at position t of one row of a fetched output ([1, pos, k] or [1, k, pos]). */
export function outputAt(out: Tensor, T: number, t: number): Float64Array {
  const K = out.dims[1] === T && out.dims.length === 3 ? out.dims[2] : out.dims[1];
  return Float64Array.from(
    { length: K },
    (_, k) => objectiveValues(out, T, t, { kind: 'logit', k }, null)[0],
  );
}

/** y for every row of a batch of fetched outputs: the target logit, or the mean next-token cross-entropy. */
export function saliencyValues(out: Tensor, tokens: readonly number[], target: SaliencyTarget): Float64Array {
  const T = tokens.length;
  if (target.kind === 'logit') {
    return objectiveValues(out, T, target.position, { kind: 'logit', k: target.token }, null);
  }
  if (T < 2) throw new UsageError('--loss needs at least 2 tokens: each position predicts the next');
  const rows = out.dims[0];
  const total = new Float64Array(rows);
  for (let t = 0; t + 1 < T; t++) {
    const ce = objectiveValues(out, T, t, { kind: 'loss' }, tokens[t + 1]);
    for (let r = 0; r < rows; r++) total[r] += ce[r] / (T - 1);
  }
  return total;
}

/** The k largest |s_i|, largest first (ties by position). */
export function ranked(r: SaliencyResult, k = 10): number[] {
  return r.scores
    .map((s, i) => ({ s: Math.abs(s), i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map(({ i }) => i);
}
