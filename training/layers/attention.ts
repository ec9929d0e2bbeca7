import * as tf from '@tensorflow/tfjs-core';
import { attentionCore } from '../kernels/attention';
import { linear } from './linear';

/**
 * Causal multi-head self-attention as in the seed: bias-free Q/K/V projections, no output projection (the
 * heads' outputs are concatenated back to d_model), pattern = softmax(Q K^T / sqrt(d_head) + M) with
 * M[i, j] = -inf for j > i, so the upper triangle of the pattern is exactly 0.
 *
 * x: [batch, pos, d_model]; W_Q, W_K, W_V: [d_model, d_model] stored [in, out].
 */
export interface AttentionOut {
  out: tf.Tensor3D; // [batch, pos, d_model]
  pattern: tf.Tensor4D; // [batch, head, query, key]
}

/** Additive causal mask [query, key]: 0 on and below the diagonal, -inf above. */
export function causalMask(T: number): tf.Tensor2D {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -Infinity;
  return tf.tensor2d(m, [T, T]);
}

export function causalAttention(
  x: tf.Tensor3D,
  W_Q: tf.Tensor2D,
  W_K: tf.Tensor2D,
  W_V: tf.Tensor2D,
  nHeads: number,
  mask: tf.Tensor2D,
): AttentionOut {
  const [B, T, D] = x.shape;
  const dHead = D / nHeads;
  const flat = tf.reshape(x, [B * T, D]) as tf.Tensor2D; // [batch*pos, d_model]: plain 2-d matmuls are the fast path
  // Split d_model into heads and fold the head axis into the batch: [batch*head, pos, d_head] (one head: a free reshape).
  const heads = (W: tf.Tensor2D) => {
    const y = linear(flat, W); // [batch*pos, d_model]
    if (nHeads === 1) return tf.reshape(y, [B, T, D]) as tf.Tensor3D;
    return tf.reshape(tf.transpose(tf.reshape(y, [B, T, nHeads, dHead]), [0, 2, 1, 3]), [
      B * nHeads,
      T,
      dHead,
    ]) as tf.Tensor3D;
  };
  // softmax(Q K^T / sqrt(d_head) + M) V with a hand-written gradient on 2-d matmuls (kernels/attention.ts).
  // exp(-inf) = 0 exactly, so no probability leaks to future keys (the diagonal keeps every row finite).
  const { z, pattern: p } = attentionCore(heads(W_Q), heads(W_K), heads(W_V), mask, 1 / Math.sqrt(dHead)); // z: [batch*head, query, d_head]
  const pattern = tf.reshape(p, [B, nHeads, T, T]) as tf.Tensor4D; // [batch, head, query, key]
  const out =
    nHeads === 1
      ? tf.reshape(z, [B, T, D])
      : tf.reshape(tf.transpose(tf.reshape(z, [B, nHeads, T, dHead]), [0, 2, 1, 3]), [B, T, D]); // [batch, pos, d_model] (heads concatenated)
  return { out: out as tf.Tensor3D, pattern };
}
