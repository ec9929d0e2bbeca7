import * as tf from '@tensorflow/tfjs-core';
import { axisOf, floatAttr, input, intAttr, unsupported, type OpContext, type OpFn } from './context';

/**
 * Softmax and LogSoftmax with their opset semantics, LayerNormalization (opset 17; the decomposed
 * ReduceMean / Sub / Pow / Sqrt / Div form older exports write is evaluated op by op), and
 * BatchNormalization in inference form.
 */

/**
 * Before opset 13 Softmax coerces its input to 2-D at `axis` (default 1) and normalises over everything
 * after it; from 13 it normalises along the one axis (default -1). tfjs normalises the last axis only.
 */
function softmaxLike(f: (x: tf.Tensor) => tf.Tensor): OpFn {
  return (ctx) => {
    const x = input(ctx, 0);
    if (x.rank === 0) return f(x);
    const axis = axisOf(ctx, intAttr(ctx, 'axis', ctx.opset < 13 ? 1 : -1), x.rank);
    if (ctx.opset < 13) {
      const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return tf.reshape(f(tf.reshape(x, [rows, -1])), x.shape); // [rows, rest] and back
    }
    if (axis === x.rank - 1) return f(x);
    const perm = x.shape.map((_, i) => i);
    perm[axis] = x.rank - 1;
    perm[x.rank - 1] = axis;
    return tf.transpose(f(tf.transpose(x, perm)), perm); // the axis swapped to the end and back
  };
}

/** LayerNormalization: over axes axis..rank-1, population variance; outputs Y, Mean, InvStdDev. */
function layerNorm(ctx: OpContext): tf.Tensor[] {
  const x = input(ctx, 0);
  const scale = input(ctx, 1);
  const bias = ctx.inputs[2];
  const axis = axisOf(ctx, intAttr(ctx, 'axis', -1), x.rank);
  const axes = x.shape.map((_, i) => i).slice(axis);
  const mean = tf.mean(x, axes, true);
  const diff = tf.sub(x, mean);
  const inv = tf.rsqrt(tf.add(tf.mean(tf.square(diff), axes, true), floatAttr(ctx, 'epsilon', 1e-5)));
  let y = tf.mul(tf.mul(diff, inv), scale);
  if (bias) y = tf.add(y, bias);
  return [y, mean, inv];
}

/** BatchNormalization with the running statistics (inference); training mode is not evaluated. */
function batchNorm(ctx: OpContext): tf.Tensor {
  if (intAttr(ctx, 'training_mode', 0) !== 0) throw unsupported(ctx, 'training_mode 1');
  const x = input(ctx, 0);
  // per-channel parameters [C] shaped [C, 1, ...] to broadcast over [batch, C, ...spatial]
  const shape = [-1, ...x.shape.slice(2).map(() => 1)];
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => tf.reshape(input(ctx, i), shape));
  const inv = tf.rsqrt(tf.add(variance, floatAttr(ctx, 'epsilon', 1e-5)));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), inv), scale), bias);
}

export const NORMALIZATION: Record<string, OpFn> = {
  Softmax: softmaxLike(tf.softmax),
  LogSoftmax: softmaxLike((x) => tf.logSoftmax(x)),
  LayerNormalization: layerNorm,
  BatchNormalization: batchNorm,
};
