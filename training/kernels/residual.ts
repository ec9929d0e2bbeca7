import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex, nativeKernels, nativeOps, type NativeBackend } from './native';

/**
 * The conv stack's residual step, relu(y) + x, as one native kernel forward and one backward (dy = g where
 * y > 0; x's gradient is g itself). tfjs runs it as Relu and Add forward and Step, Multiply and an Add of the
 * two gradient paths backward: five passes over [batch, pos, C] per layer. Returns undefined without the
 * native addon; the caller keeps the tf-ops version (layers/residual.ts).
 */
const RELU_ADD = 'SmallscopeReluAdd';
const RELU_GRAD = 'SmallscopeReluGrad';

const elementwise =
  (run: 'reluAdd' | 'reluGrad', keys: [string, string]): tf.KernelFunc =>
  ({ inputs, backend }) => {
    const be = backend as unknown as NativeBackend;
    const [a, b] = [inputs[keys[0]]!, inputs[keys[1]]!];
    const out = be.makeOutput(a.shape, 'float32');
    const n = tf.util.sizeFromShape(a.shape);
    nativeOps()![run](heapBuffer(be), heapIndex(be, a), heapIndex(be, b), n, heapIndex(be, out));
    return out;
  };

const ready = nativeKernels({
  [RELU_ADD]: elementwise('reluAdd', ['y', 'x']),
  [RELU_GRAD]: elementwise('reluGrad', ['g', 'y']),
});

/** relu(y) + x for float32 tensors of one shape, with gradients for both; undefined without the addon. */
export function nativeReluAdd<T extends tf.Tensor>(y: T, x: T): T | undefined {
  if (!ready() || y.dtype !== 'float32' || x.dtype !== 'float32') return undefined;
  if (!tf.util.arraysEqual(y.shape, x.shape)) return undefined;
  const f = tf.customGrad((yi, xi, save) => {
    (save as (t: tf.Tensor[]) => void)([yi as tf.Tensor]);
    return {
      value: tf.engine().runKernel(RELU_ADD, { y: yi as tf.Tensor, x: xi as tf.Tensor }) as tf.Tensor,
      gradFunc: (g, saved) => [
        tf.engine().runKernel(RELU_GRAD, { g: g as tf.Tensor, y: (saved as tf.Tensor[])[0]! }) as tf.Tensor,
        g as tf.Tensor,
      ],
    };
  });
  return f(y, x) as T;
}
