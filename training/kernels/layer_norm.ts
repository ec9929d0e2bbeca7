import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex, nativeKernels, nativeOps, type NativeBackend } from './native';

/**
 * LayerNorm over the last axis (nn.LayerNorm, biased variance) as one native kernel forward and one
 * backward, with the standard gradient
 *     dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * w;   dw = sum dy * xhat;   db = sum dy.
 * tfjs differentiates the tf.moments formulation op by op: ~20 kernels per layer per step. Returns undefined
 * without the native addon; the caller keeps its tf-ops version (models/dilated_conv.ts).
 */
const LN = 'SmallscopeLayerNorm';
const LN_GRAD = 'SmallscopeLayerNormGrad';

const ready = nativeKernels({
  [LN]: ({ inputs, backend, attrs }) => {
    const be = backend as unknown as NativeBackend;
    const { x, w, b } = inputs as Record<'x' | 'w' | 'b', tf.TensorInfo>;
    const c = x.shape[x.shape.length - 1]!;
    const rows = tf.util.sizeFromShape(x.shape) / c;
    const out = be.makeOutput(x.shape, 'float32');
    const xhat = be.makeOutput(x.shape, 'float32');
    const rstd = be.makeOutput([rows], 'float32');
    const at = (t: tf.TensorInfo) => heapIndex(be, t);
    nativeOps()!.layerNorm(
      heapBuffer(be),
      at(x),
      at(w),
      at(b),
      rows,
      c,
      (attrs as { eps: number }).eps,
      at(out),
      at(xhat),
      at(rstd),
    );
    return [out, xhat, rstd];
  },
  [LN_GRAD]: ({ inputs, backend }) => {
    const be = backend as unknown as NativeBackend;
    const { dy, xhat, rstd, w } = inputs as Record<'dy' | 'xhat' | 'rstd' | 'w', tf.TensorInfo>;
    const c = dy.shape[dy.shape.length - 1]!;
    const rows = tf.util.sizeFromShape(dy.shape) / c;
    const dx = be.makeOutput(dy.shape, 'float32');
    const dw = be.makeOutput([c], 'float32');
    const db = be.makeOutput([c], 'float32');
    const at = (t: tf.TensorInfo) => heapIndex(be, t);
    nativeOps()!.layerNormGrad(
      heapBuffer(be),
      at(dy),
      at(xhat),
      at(rstd),
      at(w),
      rows,
      c,
      at(dx),
      at(dw),
      at(db),
    );
    return [dx, dw, db];
  },
});

/** xhat * w + b over the last axis of x, with gradients for x, w, b; undefined without the native addon. */
export function nativeLayerNorm<T extends tf.Tensor>(
  x: T,
  w: tf.Tensor1D,
  b: tf.Tensor1D,
  eps: number,
): T | undefined {
  if (!ready() || x.dtype !== 'float32') return undefined;
  const f = tf.customGrad((xi, wi, bi, save) => {
    const [out, xhat, rstd] = tf
      .engine()
      .runKernel(LN, { x: xi as tf.Tensor, w: wi as tf.Tensor, b: bi as tf.Tensor }, { eps }) as tf.Tensor[];
    (save as (t: tf.Tensor[]) => void)([xhat!, rstd!, wi as tf.Tensor]);
    return {
      value: out!,
      gradFunc: (dy, saved) => {
        const [xh, rs, w0] = saved as tf.Tensor[];
        return tf
          .engine()
          .runKernel(LN_GRAD, { dy: dy as tf.Tensor, xhat: xh!, rstd: rs!, w: w0! }) as tf.Tensor[];
      },
    };
  });
  return f(x, w, b) as T;
}
