import type { Tensor } from '../tensor';

/**
 * Next-token cross-entropy: the logits at position t predict token t + 1, so a row of T tokens has T - 1
 * losses (TransformerLens's `lm_cross_entropy_loss(per_token=True)`). Read from the graph's own
 * log-probabilities of the next tokens (probes/onnx/readout-surgery.ts), [rows, T - 1, 1].
 */
export interface NextTokenLoss {
  /** Mean over the rows and positions 0..T-2. */
  mean: number;
  /** [row][t]: -log p(token t+1 | tokens 0..t). */
  perToken: number[][];
}

/** The loss of `rows` rows read from rows `first`.. `first + rows - 1` of `logprob` [R, T - 1, 1]. */
export function nextTokenLoss(logprob: Tensor, rows: number, first = 0): NextTokenLoss {
  const n = logprob.dims[1];
  let sum = 0;
  const perToken = Array.from({ length: rows }, (_, b) =>
    Array.from({ length: n }, (_, t) => {
      const l = -logprob.data[(first + b) * n + t];
      sum += l;
      return l;
    }),
  );
  return { mean: rows * n > 0 ? sum / (rows * n) : NaN, perToken };
}
