import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex, nativeKernels, nativeOps, type NativeBackend } from './native';

/**
 * Embedding lookup rows = W[tokens] with its gradient (a scatter-add into W's shape), as two native kernels
 * on the wasm heap. Returns undefined when the native addon is not installed: the caller then uses the
 * one-hot product (models/embedding.ts), whose result this equals exactly (each one-hot row has a single 1;
 * a token outside the vocabulary gives a zero row in both).
 *
 * Why: the one-hot [batch*pos, vocab] tensor and its two products (forward and W's gradient) cost ~7 ms of
 * a ~80 ms seed-000 step at vocab 256; the lookup and scatter touch only [batch*pos, d] entries.
 */
const EMBED = 'SmallscopeEmbed';
const EMBED_GRAD = 'SmallscopeEmbedGrad';

const ready = nativeKernels({
  [EMBED]: ({ inputs, backend }) => {
    const be = backend as unknown as NativeBackend;
    const { table, tokens } = inputs as { table: tf.TensorInfo; tokens: tf.TensorInfo };
    const [V, D] = table.shape;
    const n = tokens.shape[0]!;
    const out = be.makeOutput([n, D!], 'float32');
    nativeOps()!.embed(
      heapBuffer(be),
      heapIndex(be, table),
      heapIndex(be, tokens),
      n,
      V!,
      D!,
      heapIndex(be, out),
    );
    return out;
  },
  [EMBED_GRAD]: ({ inputs, backend, attrs }) => {
    const be = backend as unknown as NativeBackend;
    const { dy, tokens } = inputs as { dy: tf.TensorInfo; tokens: tf.TensorInfo };
    const { vocab } = attrs as { vocab: number };
    const [n, D] = dy.shape;
    const out = be.makeOutput([vocab, D!], 'float32');
    nativeOps()!.embedGrad(
      heapBuffer(be),
      heapIndex(be, dy),
      heapIndex(be, tokens),
      n!,
      vocab,
      D!,
      heapIndex(be, out),
    );
    return out;
  },
});

/** W[tokens] for tokens int32 [n] and W [vocab, d] -> [n, d], with W's gradient; undefined without the addon. */
export function lookupRows(tokens: tf.Tensor1D, W: tf.Tensor2D): tf.Tensor2D | undefined {
  if (!ready() || tokens.dtype !== 'int32') return undefined;
  const vocab = W.shape[0];
  const f = tf.customGrad((Wi, save) => {
    (save as (t: tf.Tensor[]) => void)([tokens]);
    return {
      value: tf.engine().runKernel(EMBED, { table: Wi as tf.Tensor, tokens }) as tf.Tensor2D, // [n, d]
      gradFunc: (dy, saved) =>
        tf
          .engine()
          .runKernel(EMBED_GRAD, { dy: dy as tf.Tensor, tokens: saved[0]! }, { vocab }) as tf.Tensor2D, // [vocab, d]
    };
  });
  return f(W) as tf.Tensor2D;
}
