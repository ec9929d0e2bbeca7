import * as tf from '@tensorflow/tfjs-core';
import { lookupRows } from '../kernels/lookup';
import { linearFromData } from './linear';

/**
 * Token (and optional learned position) embedding.
 *
 * Written as oneHot(tokens) @ W_E rather than a gather: the gradient of a gather is an UnsortedSegmentSum,
 * which the tfjs WebAssembly backend does not implement, while the gradient of this matmul is another matmul.
 * The result is bit-for-bit a row lookup (each row of the one-hot has a single 1). With the native addon it
 * is a real lookup with a scatter-add gradient (kernels/lookup.ts).
 */
export function embed(tokens: tf.Tensor2D, W_E: tf.Tensor2D, W_pos?: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = tokens.shape;
  const [V, D] = W_E.shape;
  const flat = tf.reshape(tokens, [B * T]) as tf.Tensor1D; // [batch*pos]
  const rows = lookupRows(flat, W_E) ?? linearFromData(tf.oneHot(flat, V) as tf.Tensor2D, W_E); // [batch*pos, d_model]
  let x = tf.reshape(rows, [B, T, D]); // [batch, pos, d_model]
  if (W_pos) {
    if (T > W_pos.shape[0]) throw new RangeError(`sequence length ${T} exceeds max_seq ${W_pos.shape[0]}`);
    // Broadcast the first T position rows over the batch.
    x = tf.add(x, tf.slice(W_pos, [0, 0], [T, D])); // [batch, pos, d_model]
  }
  return x as tf.Tensor3D;
}
