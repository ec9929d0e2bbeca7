import * as tf from '@tensorflow/tfjs-core';
import {
  axisOf,
  floatAttr,
  input,
  intAttr,
  ints,
  intsAttr,
  stringAttr,
  unsupported,
  type OpContext,
  type OpFn,
} from './context';
import { gatherAlong } from './gather';

/** Ops that select, join and split: Concat, Split, Slice, Gather, Trilu and constant Pad. */

function concat(ctx: OpContext): tf.Tensor {
  const xs = ctx.inputs.filter((t): t is tf.Tensor => t !== null);
  const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), xs[0].rank);
  const nonEmpty = xs.filter((t) => t.size > 0);
  return nonEmpty.length === 0 ? xs[0] : nonEmpty.length === 1 ? nonEmpty[0] : tf.concat(nonEmpty, axis);
}

/**
 * Split: the sizes are the `split` attribute before opset 13, the optional second input from 13; without
 * them, equal parts, one per output (opset 18's num_outputs: the last part may be smaller).
 */
function split(ctx: OpContext): tf.Tensor[] {
  const x = input(ctx, 0);
  const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), x.rank);
  const dim = x.shape[axis];
  let sizes = ctx.opset < 13 ? intsAttr(ctx, 'split') : ctx.inputs[1] ? ints(ctx.inputs[1]) : undefined;
  if (!sizes) {
    const parts = intAttr(ctx, 'num_outputs', ctx.node.output.length);
    const each = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, dim - i * each)));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== dim)
    throw unsupported(ctx, `sizes [${sizes}] for a dimension of ${dim}`);
  return tf.split(x, sizes, axis);
}

/**
 * Slice with ONNX's clamping (negative starts and ends count from the end; out-of-range values clamp; a
 * negative step walks backwards). Starts/ends/axes are attributes before opset 10, inputs (with steps) from 10.
 * A step other than 1 is a gather of the chosen indices, so it has a gradient too.
 */
function slice(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  let starts: number[];
  let ends: number[];
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = intsAttr(ctx, 'starts') ?? [];
    ends = intsAttr(ctx, 'ends') ?? [];
    axes = intsAttr(ctx, 'axes');
  } else {
    starts = ints(input(ctx, 1));
    ends = ints(input(ctx, 2));
    axes = ctx.inputs[3] ? ints(ctx.inputs[3]) : undefined;
    steps = ctx.inputs[4] ? ints(ctx.inputs[4]) : undefined;
  }
  const begin = x.shape.map(() => 0);
  const size = [...x.shape];
  const strided: { axis: number; start: number; step: number; count: number }[] = [];
  (axes ?? starts.map((_, i) => i)).forEach((a, i) => {
    const axis = axisOf(ctx, a, x.rank);
    const dim = x.shape[axis];
    const step = steps?.[i] ?? 1;
    if (step === 0) throw unsupported(ctx, 'a step of 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + dim : v));
    const start = step > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], 0, dim - 1);
    const end = step > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    const count = Math.max(0, Math.ceil((end - start) / step));
    if (step === 1) {
      begin[axis] = start;
      size[axis] = count;
    } else strided.push({ axis, start, step, count });
  });
  let y = tf.slice(x, begin, size);
  for (const { axis, start, step, count } of strided) {
    const at = Array.from({ length: count }, (_, i) => start + i * step);
    y = gatherAlong(y, at, [count], axis);
  }
  return y;
}

/** Gather along `axis`; negative indices count from the end of that axis. */
function gather(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const indices = input(ctx, 1);
  const axis = axisOf(ctx, intAttr(ctx, 'axis', 0), x.rank);
  const dim = x.shape[axis];
  const values = ints(indices);
  if (values.some((v) => v < -dim || v >= dim)) throw unsupported(ctx, `an index outside 0..${dim - 1}`);
  return gatherAlong(
    x,
    values.map((v) => (v < 0 ? v + dim : v)),
    indices.shape,
    axis,
  );
}

/** Trilu: keep j - i >= k (upper, the default) or j - i <= k (lower) of the last two axes, zero the rest. */
function trilu(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const k = ctx.inputs[1] ? ints(ctx.inputs[1])[0] : 0;
  const upper = intAttr(ctx, 'upper', 1) === 1;
  if (x.rank < 2) throw unsupported(ctx, `a rank-${x.rank} input`);
  const [rows, cols] = x.shape.slice(-2);
  const keep = new Uint8Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) keep[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
  return tf.where(tf.tensor2d(keep, [rows, cols], 'bool'), x, tf.zerosLike(x)); // mask [rows, cols] broadcast
}

/** Pad, constant mode: pads an attribute before opset 11, inputs (value, opset 18's axes) from 11. */
function pad(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const mode = stringAttr(ctx, 'mode', 'constant');
  if (mode !== 'constant') throw unsupported(ctx, `mode ${mode}`);
  const pads = ctx.opset < 11 ? (intsAttr(ctx, 'pads') ?? []) : ints(input(ctx, 1));
  const value = ctx.opset < 11 ? floatAttr(ctx, 'value', 0) : ctx.inputs[2] ? ints(ctx.inputs[2])[0] : 0;
  const axes =
    ctx.opset >= 18 && ctx.inputs[3]
      ? ints(ctx.inputs[3]).map((a) => axisOf(ctx, a, x.rank))
      : x.shape.map((_, i) => i);
  if (pads.some((p) => p < 0)) throw unsupported(ctx, 'negative pads (cropping)');
  const widths = x.shape.map(() => [0, 0] as [number, number]);
  axes.forEach((a, i) => (widths[a] = [pads[i], pads[i + axes.length]]));
  return tf.pad(x, widths, value);
}

export const INDEXING: Record<string, OpFn> = {
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Trilu: trilu,
  Pad: pad,
};
