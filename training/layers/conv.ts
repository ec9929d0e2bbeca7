import * as tf from '@tensorflow/tfjs-core';
import { conv1d } from '../kernels/conv1d';

/**
 * Causal 1-d convolution over positions, kernel 3 with the future tap masked, as the seed's
 * `F.conv1d(x, W * [1, 1, 0], b, padding=1)`:
 *
 *     out[t] = b + x[t-1] @ W[0] + x[t] @ W[1]        (x[-1] = 0; W[2], the tap on x[t+1], never contributes)
 *
 * Written as one matmul on the window [x[t-1], x[t]] (kernels/conv1d.ts) instead of tf.conv1d: the
 * WebAssembly backend lacks Conv2DBackpropFilter (the conv weight gradient), and im2col + matmul has cheap,
 * exact gradients. The masked tap is not multiplied by zero but simply not read, so its gradient is exactly
 * zero.
 *
 * W: [3, d_in, d_out] (tap-major), b: [d_out].
 */
export function causalConv(x: tf.Tensor3D, W: tf.Tensor3D, b: tf.Tensor1D): tf.Tensor3D {
  const [, D, dOut] = W.shape;
  // Taps 0 and 1 (x[t-1], x[t]) as a kernel-2 conv with one position of left padding; tap 2 (future) is left out.
  const taps = tf.slice(W, [0, 0, 0], [2, D, dOut]) as tf.Tensor3D; // [2, d_in, d_out]
  return conv1d(x, taps, b, 1, 1); // [batch, pos, d_out]
}
