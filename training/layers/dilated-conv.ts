import * as tf from '@tensorflow/tfjs-core';
import { attentionCore } from '../kernels/attention';
import { dilatedConvSame } from '../kernels/conv1d';
import { nativeLayerNorm } from '../kernels/layer_norm';

/**
 * Non-causal 'same' 1-d convolution with dilation, as PyTorch's Conv1d(C_in, C_out, k, dilation=d,
 * padding=(k-1)/2 * d):
 *
 *     out[t] = b + sum_tau x[t + tau*d - r] @ W[tau]        r = (k-1)/2 * d, x outside [0, T) = 0
 *
 * Written as k shifted copies of the input side by side and one matmul, because the tfjs WebAssembly backend
 * has neither Conv2DBackpropFilter nor a gradient for dilated convs; pad/slice/concat/matmul all have cheap
 * exact gradients there.
 *
 * x: [batch, pos, c_in]; W: [k, c_in, c_out] (tap-major, so the window's layout matches W reshaped to
 * [k*c_in, c_out]); b: [c_out].
 */
export function sameConv(x: tf.Tensor3D, W: tf.Tensor3D, b: tf.Tensor1D, dilation: number): tf.Tensor3D {
  // Speed hook (training/kernels/conv1d.ts): the same window and matmul, built by one im2col kernel, with a
  // hand-written gradient (col2im); checked against this pad/slice/concat formulation in tests/training/kernels.
  return dilatedConvSame(x, W, b, dilation);
}

/**
 * LayerNorm over channels at every position (nn.LayerNorm(C), eps 1e-5 unless told: TensorFlow's
 * tf.contrib.layers.layer_norm, seed 004, uses 1e-12): gain w, bias b: [C].
 */
export function layerNorm(x: tf.Tensor3D, w: tf.Tensor1D, b: tf.Tensor1D, eps = 1e-5): tf.Tensor3D {
  // One fused kernel each way with the native addon (kernels/layer_norm.ts); the same formula.
  const fused = nativeLayerNorm(x, w, b, eps);
  if (fused) return fused;
  const { mean, variance } = tf.moments(x, 2, true); // [batch, pos, 1] each
  const norm = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))); // [batch, pos, channels]
  return tf.add(tf.mul(norm, w), b) as tf.Tensor3D;
}

/**
 * Full (non-causal) attention: every query sees every key, softmax over all positions, as in the seeds'
 * selective copying nets. q, k: [batch, head, pos, d_head]; v: [batch, head, pos, d_v]. Returns the pattern
 * [batch, head, query, key] and the output [batch, head, query, d_v].
 */
export function fullAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
): { pattern: tf.Tensor4D; out: tf.Tensor4D } {
  const [B, H, T, dHead] = q.shape;
  const dV = v.shape[3];
  // Speed hook (training/kernels/attention.ts): softmax(q k^T / sqrt(d_head)) v on 2-d XNNPACK matmuls with a
  // hand-written gradient; batch and head folded into one axis (free reshapes).
  const fold = (t: tf.Tensor4D) => tf.reshape(t, [B * H, T, t.shape[3]]) as tf.Tensor3D;
  const { z, pattern } = attentionCore(fold(q), fold(k), fold(v), undefined, 1 / Math.sqrt(dHead));
  return {
    pattern: tf.reshape(pattern, [B, H, T, T]) as tf.Tensor4D, // [batch, head, query, key]
    out: tf.reshape(z, [B, H, T, dV]) as tf.Tensor4D, // [batch, head, query, d_v]
  };
}
