import * as tf from '@tensorflow/tfjs-core';
import { forward } from './models/model';
import type { Params } from './models/params';
import type { ArchSpec } from './models/spec';
import type { AdamW } from './optim/adamw';

/**
 * One optimisation step and one evaluation pass. A batch arrives as int32 windows [rows, seq_len + 1]: the
 * model reads the first seq_len bytes and is scored on predicting each following byte.
 */
function split(windows: Int32Array, seqLen: number): { inputs: tf.Tensor2D; targets: tf.Tensor1D } {
  const rows = windows.length / (seqLen + 1);
  const all = tf.tensor2d(windows, [rows, seqLen + 1], 'int32'); // [batch, seq_len + 1]
  const inputs = tf.slice(all, [0, 0], [rows, seqLen]); // [batch, pos]
  const targets = tf.reshape(tf.slice(all, [0, 1], [rows, seqLen]), [rows * seqLen]); // [batch*pos]
  return { inputs, targets: targets as tf.Tensor1D };
}

/** Mean next-byte cross-entropy (nats), from logits [batch, pos, vocab] and targets [batch*pos]. */
export function crossEntropy(logits: tf.Tensor3D, targets: tf.Tensor1D): tf.Scalar {
  const [B, T, V] = logits.shape;
  const logp = tf.logSoftmax(tf.reshape(logits, [B * T, V])); // [batch*pos, vocab]
  // Picking log p(target) with a one-hot product keeps the gradient a dense elementwise op.
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(targets, V)), 1))) as tf.Scalar;
}

/** Forward + backward + AdamW update; returns the batch loss. */
export function trainStep(
  spec: ArchSpec,
  params: Params,
  opt: AdamW,
  windows: Int32Array,
  seqLen: number,
  lr: number,
): number {
  const vars = Object.values(params);
  const names = Object.keys(params);
  const loss = tf.tidy(() => {
    const { inputs, targets } = split(windows, seqLen);
    const { value, grads } = tf.variableGrads(
      () => crossEntropy(forward(spec, params, inputs).logits, targets),
      vars,
    );
    // variableGrads keys by the (unique) variable name; map back to parameter names.
    const byParam: Record<string, tf.Tensor> = {};
    names.forEach((n, i) => {
      const g = grads[vars[i].name];
      if (g) byParam[n] = g;
    });
    opt.apply(byParam, lr);
    return value;
  });
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
}

/** Validation loss (mean over all predicted bytes) and next-byte accuracy. */
export function evaluate(
  spec: ArchSpec,
  params: Params,
  batches: Int32Array[],
  seqLen: number,
): { loss: number; acc: number } {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  for (const windows of batches) {
    const [l, c, n] = tf.tidy(() => {
      const { inputs, targets } = split(windows, seqLen);
      const logits = forward(spec, params, inputs).logits;
      const n = targets.shape[0];
      const loss = tf.mul(crossEntropy(logits, targets), n);
      const [B, T, V] = logits.shape;
      const hits = tf.sum(
        tf.cast(tf.equal(tf.argMax(tf.reshape(logits, [B * T, V]), 1), targets), 'float32'),
      );
      return [loss.dataSync()[0], hits.dataSync()[0], n];
    });
    lossSum += l;
    correct += c;
    count += n;
  }
  return { loss: lossSum / count, acc: correct / count };
}
