import * as tf from '@tensorflow/tfjs-core';
import { crossEntropy } from './kernels/cross_entropy';
import { forward } from './models/model';
import type { Params } from './models/params';
import type { ArchSpec } from './models/spec';
import type { AdamW } from './optim/adamw';
import { poolFor } from './parallel/pool';

export { crossEntropy };

/**
 * One optimisation step and one evaluation pass. A batch arrives as int32 windows [rows, seq_len + 1]: the
 * model reads the first seq_len bytes and is scored on predicting each following byte.
 */
export function splitWindows(
  windows: Int32Array,
  seqLen: number,
): { inputs: Int32Array; targets: Int32Array; rows: number } {
  const w = seqLen + 1;
  const rows = windows.length / w;
  const inputs = new Int32Array(rows * seqLen); // [batch, pos]
  const targets = new Int32Array(rows * seqLen); // [batch*pos]
  for (let r = 0; r < rows; r++) {
    inputs.set(windows.subarray(r * w, r * w + seqLen), r * seqLen);
    targets.set(windows.subarray(r * w + 1, r * w + w), r * seqLen);
  }
  return { inputs, targets, rows };
}

function split(windows: Int32Array, seqLen: number): { inputs: tf.Tensor2D; targets: tf.Tensor1D } {
  const s = splitWindows(windows, seqLen);
  return {
    inputs: tf.tensor2d(s.inputs, [s.rows, seqLen], 'int32'),
    targets: tf.tensor1d(s.targets, 'int32'),
  };
}

/**
 * Loss and gradients of one batch on this thread: inputs int32 [rows, seqLen], targets [rows * seqLen].
 * Returns the mean loss and the gradients by parameter name (kept tensors: the caller disposes them).
 */
export function lossAndGradTensors(
  spec: ArchSpec,
  params: Params,
  inputs: Int32Array,
  targets: Int32Array,
  rows: number,
  seqLen: number,
): { loss: number; grads: Record<string, tf.Tensor> } {
  const out = tf.tidy(() => {
    const x = tf.tensor2d(inputs, [rows, seqLen], 'int32');
    const y = tf.tensor1d(targets, 'int32');
    return paramGrads(params, () => crossEntropy(forward(spec, params, x).logits, y));
  });
  const loss = out.value.dataSync()[0];
  out.value.dispose();
  return { loss, grads: out.grads };
}

/**
 * The loss and its gradients by parameter name (tf.variableGrads keys them by the unique variable name).
 * Call inside tf.tidy; the returned tensors survive it.
 */
export function paramGrads(
  params: Params,
  loss: () => tf.Scalar,
): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const vars = Object.values(params);
  const { value, grads } = tf.variableGrads(loss, vars);
  const byParam: Record<string, tf.Tensor> = {};
  Object.keys(params).forEach((n, i) => {
    const g = grads[vars[i].name];
    if (g) byParam[n] = g;
  });
  return { value, grads: byParam };
}

/** One optimiser update on the loss `loss()`; returns the loss before the update. */
export function optimizeStep(params: Params, opt: AdamW, lr: number, loss: () => tf.Scalar): number {
  const value = tf.tidy(() => {
    const { value, grads } = paramGrads(params, loss);
    opt.apply(grads, lr);
    return value;
  });
  const v = value.dataSync()[0];
  value.dispose();
  return v;
}

/**
 * Loss and gradients of a whole batch, split over worker threads when the batch is large enough
 * (parallel/pool.ts); otherwise on this thread. Same result either way up to float rounding.
 */
export function batchLossAndGrads(
  spec: ArchSpec,
  params: Params,
  inputs: Int32Array,
  targets: Int32Array,
  rows: number,
  seqLen: number,
): { loss: number; grads: Record<string, tf.Tensor> } {
  const size = Object.values(params).reduce((n, v) => n + v.size, 0);
  const pool = poolFor(rows, seqLen, size);
  if (!pool) return lossAndGradTensors(spec, params, inputs, targets, rows, seqLen);
  return pool.run(spec, params, inputs, targets, rows, seqLen, (i, t, r) =>
    lossAndGradTensors(spec, params, i, t, r, seqLen),
  );
}

/** Forward + backward + AdamW update on token ids [rows, seqLen] and targets [rows * seqLen]; returns the loss. */
export function trainStepTokens(
  spec: ArchSpec,
  params: Params,
  opt: AdamW,
  inputs: Int32Array,
  targets: Int32Array,
  rows: number,
  seqLen: number,
  lr: number,
): number {
  const { loss, grads } = batchLossAndGrads(spec, params, inputs, targets, rows, seqLen);
  try {
    opt.apply(grads, lr);
  } finally {
    tf.dispose(Object.values(grads));
  }
  return loss;
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
  const { inputs, targets, rows } = splitWindows(windows, seqLen);
  return trainStepTokens(spec, params, opt, inputs, targets, rows, seqLen, lr);
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
