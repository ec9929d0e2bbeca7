import * as tf from '@tensorflow/tfjs-core';

/**
 * Mamba's implicit attention ("The Hidden Attention of Mamba Models", Ali, Zimerman & Wolf, 2024). Unrolling
 * the scan h_t = exp(delta_t A) h_{t-1} + delta_t B_t u_t, y_t = C_t . h_t + D u_t gives, per channel d,
 *
 *   y_t[d] = sum_{s <= t} alpha_d[t, s] u_s[d] + D[d] u_t[d]
 *   alpha_d[t, s] = delta_s[d] sum_n C_t[n] B_s[n] exp(sum_{r = s+1..t} delta_r[d] A[d, n])
 *
 * a data-dependent T x T mixing matrix per channel, causal (0 for s > t). The decay sum is a difference of
 * the cumulative sums S_t = sum_{r <= t} delta_r A: S_t - S_s. For s > t that difference is >= 0 (delta > 0,
 * A < 0) and its exp could overflow before the mask zeroes it, so it is clamped to 0 first.
 *
 * The rows are not normalised and may be negative (this is a linear map, not a softmax); probes that assume
 * rows summing to 1 report the difference (`probe attention` prints the row-sum error).
 */
export interface HiddenInputs {
  delta: tf.Tensor4D; // [batch, pos, E, 1]
  A: tf.Tensor2D; // [E, N], negative
  B: tf.Tensor4D; // [batch, pos, 1, N]
  C: tf.Tensor4D; // [batch, pos, 1, N]
}

/** alpha for every channel: [batch, query t, key s, E]. Memory grows as batch T^2 E N: for inspection only. */
export function hiddenAttention({ delta, A, B, C }: HiddenInputs): tf.Tensor4D {
  const [b, T, E] = delta.shape;
  const N = A.shape[1];
  const S = tf.cumsum(tf.mul(delta, A), 1); // [batch, pos, E, N]
  const St = tf.reshape(S, [b, T, 1, E, N]); // [batch, t, 1, E, N]
  const Ss = tf.reshape(S, [b, 1, T, E, N]); // [batch, 1, s, E, N]
  const decay = tf.exp(tf.minimum(tf.sub(St, Ss), 0)); // [batch, t, s, E, N]
  const causal = tf.reshape(tf.linalg.bandPart(tf.ones([T, T]), -1, 0), [T, T, 1, 1]); // [t, s, 1, 1]: s <= t
  const CB = tf.mul(tf.reshape(C, [b, T, 1, 1, N]), tf.reshape(B, [b, 1, T, 1, N])); // [batch, t, s, 1, N]
  const mixed = tf.sum(tf.mul(tf.mul(decay, causal), CB), -1); // [batch, t, s, E]
  return tf.mul(mixed, tf.reshape(delta, [b, 1, T, E])) as tf.Tensor4D; // [batch, t, s, E]: times delta_s
}

/** The channel mean as one attention head: blocks.{l}.attn.hook_pattern, [batch, 1, query, key]. */
export function hiddenPattern(x: HiddenInputs): tf.Tensor4D {
  const [b, T] = x.delta.shape;
  return tf.reshape(tf.mean(hiddenAttention(x), -1), [b, 1, T, T]) as tf.Tensor4D; // [batch, head, query, key]
}
