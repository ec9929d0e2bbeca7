import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../format/errors';
import type { Objective } from '../../probes/field/objective';

/**
 * The scalars gradients are taken of, read from a fetched output of one row: [1, pos, k] (position-major,
 * as logits) or [1, k, pos] (channel-first, as a conv output), told apart as probes/field/objective.ts's
 * objectiveValues does, so the exact and the finite-difference paths differentiate the same number.
 */
function positionMajor(out: tf.Tensor, T: number): tf.Tensor2D {
  const channelFirst = out.rank === 3 && out.shape[1] !== T && out.shape[2] === T;
  if (out.rank !== 3 || out.shape[0] !== 1 || (!channelFirst && out.shape[1] !== T)) {
    throw new UsageError(
      `the output has shape [${out.shape}]; a gradient needs [batch, pos, k] or [batch, k, pos]`,
    );
  }
  const [, a, b] = out.shape as number[];
  const m = tf.reshape(out, [a, b]); // [pos, k] or [k, pos]
  return (channelFirst ? tf.transpose(m) : m) as tf.Tensor2D; // [pos, k]
}

/** y_t of probe field: the sum, entry k, or the cross-entropy of `next` of the output vector at t. */
export function objectiveScalar(
  out: tf.Tensor,
  T: number,
  t: number,
  o: Objective,
  next: number | null,
): tf.Scalar {
  const m = positionMajor(out, T);
  const K = m.shape[1];
  if (o.kind === 'logit' && o.k >= K) throw new UsageError(`logit:${o.k} is past the output's ${K} entries`);
  const row = tf.reshape(tf.slice(m, [t, 0], [1, K]), [K]); // [k]: the output vector at t
  if (o.kind === 'sum') return tf.sum(row);
  if (o.kind === 'logit') return tf.sum(tf.slice(row, [o.k], [1]));
  return tf.neg(tf.sum(tf.slice(tf.logSoftmax(row), [next!], [1]))) as tf.Scalar;
}

/** The mean next-token cross-entropy over a row: logits at p predict token p + 1, p = 0..T-2. */
export function meanLossScalar(out: tf.Tensor, tokens: readonly number[]): tf.Scalar {
  const T = tokens.length;
  const m = positionMajor(out, T);
  const K = m.shape[1];
  const logp = tf.logSoftmax(tf.slice(m, [0, 0], [T - 1, K])); // [pos - 1, k]
  if (tokens.some((id) => id >= K)) throw new UsageError(`a token id is past the output's ${K} entries`);
  const targets = new Float32Array((T - 1) * K); // [pos - 1, k]: one-hot of the next tokens
  tokens.slice(1).forEach((id, p) => (targets[p * K + id] = 1));
  return tf.neg(tf.div(tf.sum(tf.mul(logp, tf.tensor2d(targets, [T - 1, K]))), T - 1)) as tf.Scalar;
}
