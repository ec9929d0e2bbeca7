import * as tf from '@tensorflow/tfjs-core';
import { forward } from './models/model';
import type { Params } from './models/params';
import type { ArchSpec } from './models/spec';
import type { AdamW } from './optim/adamw';
import { crossEntropy, optimizeStep, trainStepTokens } from './step';
import { addCounts, errorRates, maskedCounts, type MaskedCounts } from './metrics';
import type { MaskedBatch } from './tasks/masked-batches';

/**
 * Training and evaluation for position-aligned text-to-text tasks (selcopy, vselcopy): output t is scored on
 * target t (not on the next byte as in the text task). The loss is the cross-entropy over every position
 * (the seeds train the whole string); the error rates count the answer spans only.
 */
function tensors(b: MaskedBatch, seqLen: number) {
  const inputs = tf.tensor2d(b.inputs, [b.rows, seqLen], 'int32'); // [batch, pos]
  const targets = tf.tensor1d(b.targets, 'int32'); // [batch*pos]
  return { inputs, targets };
}

export function alignedTrainStep(
  spec: ArchSpec,
  params: Params,
  opt: AdamW,
  batch: MaskedBatch,
  seqLen: number,
  lr: number,
): number {
  // The text task's step (cross-entropy of the logits against the targets, whatever their count per row),
  // which splits a large batch over worker threads (parallel/pool.ts) with the same mean loss and gradients.
  return trainStepTokens(spec, params, opt, batch.inputs, batch.targets, batch.rows, seqLen, lr);
}

export interface AlignedEval {
  loss: number;
  acc: number;
  mask_error: number;
  sample_error: number;
}

export function alignedEvaluate(
  spec: ArchSpec,
  params: Params,
  batches: MaskedBatch[],
  seqLen: number,
): AlignedEval {
  let lossSum = 0;
  let correct = 0;
  let count = 0;
  let counts: MaskedCounts = { wrongChars: 0, chars: 0, wrongSamples: 0, samples: 0 };
  for (const b of batches) {
    const [l, pred] = tf.tidy(() => {
      const { inputs, targets } = tensors(b, seqLen);
      const logits = forward(spec, params, inputs).logits;
      const l = crossEntropy(logits, targets).dataSync()[0];
      return [l, tf.argMax(logits, 2).dataSync() as Int32Array] as const;
    });
    const stride = b.targetLen ?? seqLen;
    const n = b.rows * stride;
    lossSum += l * n;
    count += n;
    for (let i = 0; i < n; i++) if (pred[i] === b.targets[i]) correct++;
    counts = addCounts(counts, maskedCounts(pred, b.targets, stride, b.spans));
  }
  return { loss: lossSum / count, acc: correct / count, ...errorRates(counts) };
}

/** Mean squared error of the shapes nets' prediction [batch, pos(, 1)] against the target [batch, pos]. */
function mse(
  spec: ArchSpec,
  params: Params,
  inputs: Float32Array,
  targets: Float32Array,
  rows: number,
): tf.Scalar {
  const T = inputs.length / rows;
  const x = tf.tensor2d(inputs, [rows, T]); // [batch, pos]
  const pred = tf.reshape(forward(spec, params, x).logits, [rows, T]); // [batch, pos]
  return tf.mean(tf.squaredDifference(pred, tf.tensor2d(targets, [rows, T]))) as tf.Scalar;
}

export function regressionTrainStep(
  spec: ArchSpec,
  params: Params,
  opt: AdamW,
  batch: { inputs: Float32Array; targets: Float32Array; rows: number },
  lr: number,
): number {
  return optimizeStep(params, opt, lr, () => mse(spec, params, batch.inputs, batch.targets, batch.rows));
}

/** Validation MSE (reported as val_loss; there is no accuracy for a regression). */
export function regressionEvaluate(
  spec: ArchSpec,
  params: Params,
  batches: { inputs: Float32Array; targets: Float32Array; rows: number }[],
): { loss: number; acc: number } {
  let sum = 0;
  let n = 0;
  for (const b of batches) {
    sum += tf.tidy(() => mse(spec, params, b.inputs, b.targets, b.rows).dataSync()[0]) * b.rows;
    n += b.rows;
  }
  return { loss: sum / n, acc: NaN };
}
