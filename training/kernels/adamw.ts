import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex, nativeKernels, nativeOps, type NativeBackend } from './native';

/**
 * One AdamW update of one parameter as a single native kernel: the 13 elementwise tf ops per parameter of
 * optim/adamw.ts become one pass (same formula, same order, float32). On a seed-000 step that is ~170
 * kernel calls fewer. Returns undefined without the native addon; the optimizer then uses its tf ops.
 */
const ADAMW = 'SmallscopeAdamW';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Bias corrections 1 - beta1^t and 1 - beta2^t. */
  c1: number;
  c2: number;
}

const ready = nativeKernels({
  [ADAMW]: ({ inputs, backend, attrs }) => {
    const be = backend as unknown as NativeBackend;
    const { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const h = attrs as unknown as AdamWHyper;
    const outs = [
      be.makeOutput(p.shape, 'float32'),
      be.makeOutput(p.shape, 'float32'),
      be.makeOutput(p.shape, 'float32'),
    ];
    const at = (t: tf.TensorInfo) => heapIndex(be, t);
    nativeOps()!.adamw(
      heapBuffer(be),
      at(p),
      at(g),
      at(m),
      at(v),
      tf.util.sizeFromShape(p.shape),
      h.lr,
      h.beta1,
      h.beta2,
      h.eps,
      h.weightDecay,
      h.c1,
      h.c2,
      at(outs[0]!),
      at(outs[1]!),
      at(outs[2]!),
    );
    return outs;
  },
});

/** [p', m', v'] after one AdamW update, or undefined without the native addon. */
export function adamwUpdate(
  p: tf.Tensor,
  g: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  h: AdamWHyper,
): [tf.Tensor, tf.Tensor, tf.Tensor] | undefined {
  if (!ready() || p.dtype !== 'float32' || g.dtype !== 'float32') return undefined;
  return tf.engine().runKernel(ADAMW, { p, g, m, v }, h as unknown as tf.NamedAttrMap) as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
}
