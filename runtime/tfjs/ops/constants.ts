import * as tf from '@tensorflow/tfjs-core';
import { attr } from '../../../format/onnx/model';
import { dtypeOf, protoTensor } from '../tensor-proto';
import { input, intAttr, ints, tensorAttr, unsupported, type OpContext, type OpFn } from './context';

/** Ops that make values from attributes and shapes: Constant, ConstantOfShape, Range, Cast, CastLike. */

function constant(ctx: OpContext): tf.Tensor {
  const t = tensorAttr(ctx, 'value');
  if (t) return protoTensor(t, ctx.node.name);
  const f = attr(ctx.node, 'value_float');
  if (typeof f === 'number' && ctx.node.attribute.some((a) => a.name === 'value_float')) return tf.scalar(f);
  const fs = attr(ctx.node, 'value_floats');
  if (Array.isArray(fs)) return tf.tensor1d(fs);
  const i = attr(ctx.node, 'value_int');
  if (typeof i === 'number') return tf.scalar(i, 'int32');
  const is = attr(ctx.node, 'value_ints');
  if (Array.isArray(is)) return tf.tensor1d(is, 'int32');
  throw unsupported(ctx, 'a value that is not a numeric tensor');
}

/** ConstantOfShape: the one-element `value` (default float 0) filled to the given shape. */
function constantOfShape(ctx: OpContext): tf.Tensor {
  const shape = ints(input(ctx, 0));
  const t = tensorAttr(ctx, 'value');
  if (!t) return tf.zeros(shape);
  const v = protoTensor(t, ctx.node.name);
  const [value] = Array.from(v.dataSync() as ArrayLike<number>, Number);
  const dtype = v.dtype;
  v.dispose();
  return tf.fill(shape, value, dtype);
}

/** Range: start, start + delta, ... before limit, in the inputs' type. */
function range(ctx: OpContext): tf.Tensor {
  const start = input(ctx, 0);
  const [s, limit, delta] = [start, input(ctx, 1), input(ctx, 2)].map((t) => ints(t)[0]);
  if (delta === 0) throw unsupported(ctx, 'a delta of 0');
  const n = Math.max(0, Math.ceil((limit - s) / delta));
  const values = Array.from({ length: n }, (_, i) => s + i * delta);
  return tf.tensor1d(values, start.dtype === 'int32' ? 'int32' : 'float32');
}

function castTo(ctx: OpContext, x: tf.Tensor, dtype: tf.DataType | null): tf.Tensor {
  if (dtype === null) throw unsupported(ctx, 'a cast to a non-numeric type');
  return x.dtype === dtype ? x : tf.cast(x, dtype);
}

export const CONSTANTS: Record<string, OpFn> = {
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
  Cast: (ctx) => castTo(ctx, input(ctx, 0), dtypeOf(intAttr(ctx, 'to', 0))),
  CastLike: (ctx) => castTo(ctx, input(ctx, 0), input(ctx, 1).dtype),
};
