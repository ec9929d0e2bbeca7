import type { Tensor } from '../tensor';

/**
 * Next-token cross-entropy from logits [rows, pos, vocab]: the logits at position t predict token t + 1, so a
 * row of T tokens has T - 1 losses (TransformerLens's `lm_cross_entropy_loss(per_token=True)`). Computed in
 * float64 with the max subtracted, so a large logit neither overflows nor loses the small ones.
 */
export interface NextTokenLoss {
  /** Mean over the rows and positions 0..T-2. */
  mean: number;
  /** [row][t]: -log p(token t+1 | tokens 0..t). */
  perToken: number[][];
}

/** The loss of `tokens` ([B][T]) read from rows `first`.. `first + B - 1` of `logits`. */
export function nextTokenLoss(
  logits: Tensor,
  tokens: readonly (readonly number[])[],
  first = 0,
): NextTokenLoss {
  const [, T, V] = logits.dims;
  let sum = 0;
  let count = 0;
  const perToken = tokens.map((row, b) => {
    const losses: number[] = [];
    for (let t = 0; t + 1 < T; t++) {
      const at = ((first + b) * T + t) * V;
      const l = logSumExp(logits.data, at, V) - logits.data[at + row[t + 1]];
      losses.push(l);
      sum += l;
      count++;
    }
    return losses;
  });
  return { mean: count > 0 ? sum / count : NaN, perToken };
}

export function logSumExp(data: Float32Array, at: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (data[at + i] > max) max = data[at + i];
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(data[at + i] - max);
  return max + Math.log(s);
}
