import * as tf from '@tensorflow/tfjs-core';
import {
  axesArg,
  axisOf,
  input,
  intAttr,
  ints,
  intsAttr,
  unsupported,
  type OpContext,
  type OpFn,
} from './context';

/**
 * Ops that read or change shapes. Shapes are concrete here (the graph runs on one given input), so Shape
 * gives an int32 tensor of the actual dimensions and every shape argument is read as plain integers.
 */

/** Shape, with opset 15's start / end (negative counts from the end, clamped). */
function shape(ctx: OpContext): tf.Tensor {
  const dims = input(ctx, 0).shape;
  const clampAt = (v: number) => Math.min(dims.length, Math.max(0, v < 0 ? v + dims.length : v));
  const start = clampAt(intAttr(ctx, 'start', 0));
  const end = clampAt(intAttr(ctx, 'end', dims.length));
  return tf.tensor1d(dims.slice(start, end), 'int32');
}

/** Reshape: 0 copies the input's dimension (unless allowzero), -1 is inferred. */
function reshape(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const allowZero = intAttr(ctx, 'allowzero', 0) === 1;
  const target = ints(input(ctx, 1)).map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  if (target.filter((d) => d === -1).length > 1) throw unsupported(ctx, `shape [${target}] has two -1`);
  return tf.reshape(x, target);
}

function flatten(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const axis = intAttr(ctx, 'axis', 1);
  const at = axis < 0 ? axis + x.rank : axis;
  if (at < 0 || at > x.rank) throw unsupported(ctx, `axis ${axis} for rank ${x.rank}`);
  const rows = x.shape.slice(0, at).reduce((a, b) => a * b, 1);
  return tf.reshape(x, [rows, x.size / Math.max(rows, 1)]); // [prod(:axis), prod(axis:)]
}

function transpose(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const perm = intsAttr(ctx, 'perm') ?? x.shape.map((_, i) => x.rank - 1 - i);
  return tf.transpose(x, perm);
}

/** Squeeze: axes an attribute before opset 13, an input from 13; none given drops every axis of size 1. */
function squeeze(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const given = axesArg(ctx, 13, 1);
  const axes = given
    ? given.map((a) => axisOf(ctx, a, x.rank))
    : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  if (axes.some((a) => x.shape[a] !== 1)) throw unsupported(ctx, `squeezing axes [${axes}] of [${x.shape}]`);
  return tf.reshape(
    x,
    x.shape.filter((_, i) => !axes.includes(i)),
  );
}

/** Unsqueeze: axes index the output (negative from its end); an attribute before opset 13. */
function unsqueeze(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const given = axesArg(ctx, 13, 1);
  if (!given) throw unsupported(ctx, 'no axes');
  const rank = x.rank + given.length;
  const axes = given.map((a) => axisOf(ctx, a, rank));
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x.shape[next++]);
  return tf.reshape(x, out);
}

/** numpy broadcasting of two shapes, or null when they do not broadcast. */
export function broadcastShapes(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** x broadcast to `shape` (which must already be the broadcast of both). tfjs tiles no bool: via int32. */
export function broadcastTo(x: tf.Tensor, shape: number[]): tf.Tensor {
  if (x.shape.join() === shape.join()) return x;
  if (x.dtype === 'bool') return tf.cast(broadcastTo(tf.cast(x, 'int32'), shape), 'bool');
  const lifted = tf.reshape(x, [...new Array(shape.length - x.rank).fill(1), ...x.shape]); // leading 1s
  return tf.broadcastTo(lifted, shape);
}

/** Expand: bidirectional broadcast of the input with the given shape. */
function expand(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const out = broadcastShapes(x.shape, ints(input(ctx, 1)));
  if (!out) throw unsupported(ctx, `[${x.shape}] does not broadcast to [${ints(input(ctx, 1))}]`);
  return broadcastTo(x, out);
}

function tile(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const reps = ints(input(ctx, 1));
  if (x.dtype === 'bool') return tf.cast(tf.tile(tf.cast(x, 'int32'), reps), 'bool');
  return tf.tile(x, reps);
}

export const SHAPE: Record<string, OpFn> = {
  Shape: shape,
  Size: (ctx) => tf.scalar(input(ctx, 0).size, 'int32'),
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
};
