import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear';

/**
 * Causal 1-d convolution over positions, kernel 3 with the future tap masked, as the seed's
 * `F.conv1d(x, W * [1, 1, 0], b, padding=1)`:
 *
 *     out[t] = b + x[t-1] @ W[0] + x[t] @ W[1]        (x[-1] = 0; W[2], the tap on x[t+1], never contributes)
 *
 * Written as one matmul on [x[t-1], x[t]] instead of tf.conv1d: the WebAssembly backend lacks
 * Conv2DBackpropFilter (the conv weight gradient), and a shift + matmul has cheap, exact gradients. The
 * masked tap is not multiplied by zero but simply not read, so its gradient is exactly zero.
 *
 * W: [3, d_in, d_out] (tap-major), b: [d_out].
 */
export function causalConv(x: tf.Tensor3D, W: tf.Tensor3D, b: tf.Tensor1D): tf.Tensor3D {
  const [B, T, D] = x.shape;
  const dOut = W.shape[2];
  // Shift right by one position: prev[t] = x[t-1], prev[0] = 0 (the conv's left zero padding).
  const prev = tf.slice(
    tf.pad(x, [
      [0, 0],
      [1, 0],
      [0, 0],
    ]),
    [0, 0, 0],
    [B, T, D],
  ); // [batch, pos, d_in]
  const window = tf.reshape(tf.concat([prev, x], 2), [B * T, 2 * D]) as tf.Tensor2D; // [batch*pos, 2*d_in]: [x[t-1], x[t]]
  // Taps 0 and 1 stacked row-wise match the window's layout; tap 2 (future) is left out.
  const taps = tf.reshape(tf.slice(W, [0, 0, 0], [2, D, dOut]), [2 * D, dOut]) as tf.Tensor2D; // [2*d_in, d_out]
  const out = tf.add(linear(window, taps), b); // [batch*pos, d_out]
  return tf.reshape(out, [B, T, dOut]); // [batch, pos, d_out]
}
