import * as tf from '@tensorflow/tfjs-core';

/**
 * x gathered along `axis` at constant indices (all in range, non-negative), differentiable on every backend:
 * tfjs's own gather gradient needs the UnsortedSegmentSum kernel, which the wasm backend does not have. The
 * gradient here is the same scatter-add written as a product with the one-hot matrix of the indices:
 * dx[.., i, ..] = sum_n [idx_n = i] dy[.., n, ..]. Integer and bool tensors carry no gradient: plain gather.
 */
export function gatherAlong(x: tf.Tensor, indices: number[], indexShape: number[], axis: number): tf.Tensor {
  const at = () => tf.tensor(indices, indexShape, 'int32');
  if (x.dtype !== 'float32') return tf.gather(x, at(), axis);
  const shape = x.shape;
  const dim = shape[axis];
  const pre = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const post = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = indices.length;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.gather(args[0] as tf.Tensor, at(), axis),
    gradFunc: (dy: tf.Tensor) => {
      const rows = tf.reshape(tf.transpose(tf.reshape(dy, [pre, n, post]), [1, 0, 2]), [n, pre * post]); // [n, pre * post]
      // built here: the wasm backend's oneHot writes int32 bits into a float32 result
      const selection = new Float32Array(dim * n);
      indices.forEach((i, k) => (selection[i * n + k] = 1));
      const onehotT = tf.tensor2d(selection, [dim, n]); // [dim, n]
      const dx = tf.reshape(tf.matMul(onehotT, rows), [dim, pre, post]); // [dim, pre, post]
      return tf.reshape(tf.transpose(dx, [1, 0, 2]), shape); // x's shape
    },
  }));
  return f(x);
}
