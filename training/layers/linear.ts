import * as tf from '@tensorflow/tfjs-core';
import { matmul } from '../kernels/batched';

/**
 * 2-d matmuls whose backward passes are also plain (non-transposed) 2-d matmuls.
 *
 * Why: the tfjs WebAssembly backend sends an untransposed 2-d matmul to XNNPACK, but a matmul with
 * transposeA or transposeB (which tf.matMul's own gradient uses: dx = dy W^T, dW = x^T dy) takes a naive loop
 * that is ~10x slower; on a d_model 64 model those two gradients were two thirds of a training step.
 * `matmul` (kernels/batched.ts) materialises the transposed operand there (a cheap copy) and passes the flag
 * straight through when the native matmul is installed.
 */

/** x @ W for x: [rows, in], W: [in, out], with gradients for both. */
export function linear(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((xi, Wi, save) => {
    const a = xi as tf.Tensor2D;
    const w = Wi as tf.Tensor2D;
    (save as (t: tf.Tensor[]) => void)([a, w]);
    return {
      value: tf.matMul(a, w), // [rows, out]
      gradFunc: (dy, saved) => {
        const [a0, w0] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [
          matmul(dy as tf.Tensor2D, w0, false, true), // [rows, in]
          matmul(a0, dy as tf.Tensor2D, true), // [in, out]
        ];
      },
    };
  });
  return f(x, W) as tf.Tensor2D;
}

/**
 * x @ W where x is data, not a function of any parameter (the one-hot tokens): only W gets a gradient, so
 * the [rows, in] input gradient is never computed.
 */
export function linearFromData(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor2D {
  const f = tf.customGrad((Wi, save) => {
    const w = Wi as tf.Tensor2D;
    // Saved, not just captured: the engine frees forward-pass tensors that no gradient asked to keep.
    (save as (t: tf.Tensor[]) => void)([x]);
    return {
      value: tf.matMul(x, w), // [rows, out]
      gradFunc: (dy, saved) => matmul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D, true), // [in, out]
    };
  });
  return f(W) as tf.Tensor2D;
}
