import * as tf from '@tensorflow/tfjs-core';
import { addBias } from '../kernels/batched';
import { linear } from './linear';

/** The linear head (nn.Linear(d_model, vocab), with bias): x @ W_U + b_U. */
export function unembed(x: tf.Tensor3D, W_U: tf.Tensor2D, b_U: tf.Tensor1D): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const V = W_U.shape[1];
  const logits = addBias(linear(tf.reshape(x, [B * T, D]) as tf.Tensor2D, W_U), b_U); // [batch*pos, vocab]
  return tf.reshape(logits, [B, T, V]); // [batch, pos, vocab]
}
