import * as tf from '@tensorflow/tfjs-core';
import { nativeReluAdd } from '../kernels/residual';

/**
 * A residual layer's output: x + relu(y), the layer's contribution y through a ReLU added to its input x (the
 * conv stack of seeds 000/001: the stack only ever adds to the embedding, so what a layer does not need passes
 * on unchanged). One fused kernel each way with the native addon (kernels/residual.ts); the same formula.
 */
export function reluResidual(y: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
  return nativeReluAdd(y, x) ?? (tf.add(tf.relu(y), x) as tf.Tensor3D);
}
