import * as tf from '@tensorflow/tfjs-core';
import { axesArg, axisOf, input, intAttr, ints, unsupported, type OpContext, type OpFn } from './context';

/**
 * Reductions (axes an attribute before opset 18, an input from 18; ReduceSum from 13), CumSum and ArgMax.
 * An empty axes list reduces every axis, or nothing with noop_with_empty_axes.
 */
function reduce(inputFrom: number, f: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): OpFn {
  return (ctx: OpContext) => {
    const x = input(ctx, 0);
    const given = axesArg(ctx, inputFrom, 1) ?? [];
    if (given.length === 0 && intAttr(ctx, 'noop_with_empty_axes', 0) === 1) return x;
    const axes = given.length === 0 ? x.shape.map((_, i) => i) : given.map((a) => axisOf(ctx, a, x.rank));
    return f(x, axes, intAttr(ctx, 'keepdims', 1) === 1);
  };
}

function cumSum(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const axis = axisOf(ctx, ints(input(ctx, 1))[0], x.rank);
  return tf.cumsum(x, axis, intAttr(ctx, 'exclusive', 0) === 1, intAttr(ctx, 'reverse', 0) === 1);
}

function argMax(ctx: OpContext): tf.Tensor {
  if (intAttr(ctx, 'select_last_index', 0) !== 0) throw unsupported(ctx, 'select_last_index 1');
  const x = input(ctx, 0);
  const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), x.rank);
  const y = tf.argMax(x, axis);
  return intAttr(ctx, 'keepdims', 1) === 1 ? tf.expandDims(y, axis) : y;
}

export const REDUCE: Record<string, OpFn> = {
  ReduceMean: reduce(18, (x, a, k) => tf.mean(x, a, k)),
  ReduceSum: reduce(13, (x, a, k) => tf.sum(x, a, k)),
  ReduceMax: reduce(18, (x, a, k) => tf.max(x, a, k)),
  ReduceMin: reduce(18, (x, a, k) => tf.min(x, a, k)),
  ReduceProd: reduce(18, (x, a, k) => tf.prod(x, a, k)),
  ReduceSumSquare: reduce(18, (x, a, k) => tf.sum(tf.square(x), a, k)),
  ReduceL2: reduce(18, (x, a, k) => tf.sqrt(tf.sum(tf.square(x), a, k))),
  CumSum: cumSum,
  ArgMax: argMax,
};
