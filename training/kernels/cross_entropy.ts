import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex, nativeKernels, nativeOps, type NativeBackend } from './native';

/**
 * Mean cross-entropy (nats) from logits [batch, pos, vocab] and targets [batch*pos], with a hand-written
 * gradient: d loss / d logits = (softmax(logits) - onehot(targets)) / N.
 *
 * With the native addon (kernels/native.ts) one kernel, `SmallscopeSoftmaxCrossEntropy`, makes a single pass
 * over the logits that yields both each row's loss and softmax - onehot; the backward is one multiply.
 * Otherwise the forward is log-sum-exp minus the target's logit (picked with a gather, no one-hot) and the
 * backward one softmax kernel, one one-hot and two elementwise ops, instead of the half dozen [N, vocab] ops
 * tfjs's logSoftmax gradient takes.
 */
const XENT = 'SmallscopeSoftmaxCrossEntropy';
const ready = nativeKernels({
  [XENT]: ({ inputs, backend }) => {
    const be = backend as unknown as NativeBackend;
    const logits = inputs.logits!;
    const targets = inputs.targets!;
    const [n, v] = logits.shape;
    const loss = be.makeOutput([n!], 'float32');
    const grad = be.makeOutput([n!, v!], 'float32');
    nativeOps()!.softmaxCrossEntropy(
      heapBuffer(be),
      heapIndex(be, logits),
      heapIndex(be, targets),
      n!,
      v!,
      heapIndex(be, loss),
      heapIndex(be, grad),
    );
    return [loss, grad];
  },
});

export function crossEntropy(logits: tf.Tensor3D, targets: tf.Tensor1D): tf.Scalar {
  const [B, T, V] = logits.shape;
  const N = B * T;
  const flat = tf.reshape(logits, [N, V]) as tf.Tensor2D; // [batch*pos, vocab]
  if (ready() && targets.dtype === 'int32') {
    const f = tf.customGrad((xi, save) => {
      const [rowLoss, g] = tf.engine().runKernel(XENT, { logits: xi as tf.Tensor, targets }) as [
        tf.Tensor1D,
        tf.Tensor2D,
      ]; // [N], [N, vocab]
      (save as (t: tf.Tensor[]) => void)([g]);
      return {
        value: tf.mean(rowLoss) as tf.Scalar,
        gradFunc: (dy, saved) => tf.mul(saved[0]!, tf.div(dy, N)), // [N, vocab]
      };
    });
    return f(flat) as tf.Scalar;
  }
  const f = tf.customGrad((xi, save) => {
    const x = xi as tf.Tensor2D;
    (save as (t: tf.Tensor[]) => void)([x]);
    const m = tf.max(x, 1, true); // [N, 1]
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, m)), 1)), tf.reshape(m, [N])); // [N]
    // x[i, targets[i]]: a gather on the flattened logits.
    const idx = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), targets); // [N]
    const picked = tf.gather(tf.reshape(x, [N * V]), idx); // [N]
    return {
      value: tf.mean(tf.sub(lse, picked)) as tf.Scalar,
      gradFunc: (dy, saved) => {
        const p = tf.softmax(saved[0]!); // [N, vocab]
        // int32 one-hot then a cast: the wasm OneHot kernel ignores dtype float32 (it writes int32 bit patterns).
        const g = tf.sub(p, tf.cast(tf.oneHot(targets, V), 'float32'));
        return tf.mul(g, tf.div(dy, N)); // [N, vocab]
      },
    };
  });
  return f(flat) as tf.Scalar;
}
