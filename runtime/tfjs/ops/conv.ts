import * as tf from '@tensorflow/tfjs-core';
import { input, intAttr, intsAttr, stringAttr, unsupported, type OpContext, type OpFn } from './context';
import { gatherAlong } from './gather';

/**
 * Conv over 1-D [batch, channels, pos] and 2-D [batch, channels, h, w] inputs, with pads (or auto_pad),
 * strides, dilations and groups, written as im2col + one matrix product per group: every kernel tap is a
 * slice of the padded input, the slices are concatenated along the channels and multiplied by the weight laid
 * out tap-major. Why not tf.conv1d / conv2d: tfjs's Conv2D gradient refuses dilations > 1 (the dilated conv
 * nets this interpreter exists for), and it has no groups; slices, concat and matMul all have gradients.
 */
function conv(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  const w = input(ctx, 1);
  const bias = ctx.inputs[2];
  const spatial = x.rank - 2;
  if (spatial !== 1 && spatial !== 2)
    throw unsupported(ctx, `a rank-${x.rank} input (only 1-D and 2-D convs)`);
  if (w.rank !== x.rank) throw unsupported(ctx, `weight of rank ${w.rank} for an input of rank ${x.rank}`);
  const [N, C] = x.shape;
  const [M, Cg] = w.shape;
  const kernel = w.shape.slice(2);
  const group = intAttr(ctx, 'group', 1);
  if (C !== Cg * group || M % group !== 0) {
    throw unsupported(ctx, `${C} input channels, weight [${w.shape}], group ${group}`);
  }
  const strides = intsAttr(ctx, 'strides') ?? kernel.map(() => 1);
  const dilations = intsAttr(ctx, 'dilations') ?? kernel.map(() => 1);
  const size = x.shape.slice(2);
  const pads = padsOf(ctx, size, kernel, strides, dilations);
  // channels last: [batch, pos, channels] or [batch, h, w, channels]
  const last = tf.transpose(x, spatial === 1 ? [0, 2, 1] : [0, 2, 3, 1]);
  const padded = tf.pad(last, [
    [0, 0],
    ...size.map((_, i) => [pads[i], pads[i + spatial]] as [number, number]),
    [0, 0],
  ]);
  const out = size.map((n, i) => {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    return Math.floor((n + pads[i] + pads[i + spatial] - span) / strides[i]) + 1;
  });
  if (out.some((o) => o <= 0)) throw unsupported(ctx, `the kernel is longer than the padded input [${size}]`);
  const taps = spatial === 1 ? kernel[0] : kernel[0] * kernel[1];
  const Mg = M / group;
  const ys: tf.Tensor[] = [];
  for (let g = 0; g < group; g++) {
    const xg =
      group === 1
        ? padded
        : tf.slice(
            padded,
            [...padded.shape.map(() => 0).slice(0, -1), g * Cg],
            [...padded.shape.slice(0, -1), Cg],
          );
    const cols: tf.Tensor[] = [];
    for (let tap = 0; tap < taps; tap++) {
      const at = spatial === 1 ? [tap] : [Math.floor(tap / kernel[1]), tap % kernel[1]];
      cols.push(
        window(
          xg,
          at.map((k, i) => k * dilations[i]),
          out,
          strides,
        ),
      );
    }
    const col = tf.concat(cols, -1); // [batch, ...out, taps * Cg]: tap-major
    const wg =
      group === 1 ? w : tf.slice(w, [g * Mg, ...w.shape.slice(1).map(() => 0)], [Mg, ...w.shape.slice(1)]);
    const perm = spatial === 1 ? [2, 1, 0] : [2, 3, 1, 0];
    const wMat = tf.reshape(tf.transpose(wg, perm), [taps * Cg, Mg]); // [taps * Cg, Mg]: tap-major rows
    ys.push(tf.reshape(tf.matMul(tf.reshape(col, [-1, taps * Cg]), wMat), [N, ...out, Mg])); // [batch, ...out, Mg]
  }
  let y = group === 1 ? ys[0] : tf.concat(ys, -1); // [batch, ...out, M]
  if (bias) y = tf.add(y, bias);
  return tf.transpose(y, spatial === 1 ? [0, 2, 1] : [0, 3, 1, 2]); // [batch, M, ...out]
}

/** The input positions one tap reads: from `start` along each spatial axis, `out` of them, `strides` apart. */
function window(x: tf.Tensor, start: number[], out: number[], strides: number[]): tf.Tensor {
  const [N] = x.shape;
  const C = x.shape[x.rank - 1];
  const spans = out.map((o, i) => (o - 1) * strides[i] + 1);
  let y = tf.slice(x, [0, ...start, 0], [N, ...spans, C]);
  strides.forEach((s, i) => {
    if (s > 1)
      y = gatherAlong(
        y,
        Array.from({ length: out[i] }, (_, k) => k * s),
        [out[i]],
        i + 1,
      ); // every s-th
  });
  return y;
}

/** [begin_1, .., begin_n, end_1, .., end_n]: explicit pads, or what auto_pad SAME_UPPER/LOWER asks for. */
function padsOf(
  ctx: OpContext,
  size: number[],
  kernel: number[],
  strides: number[],
  dilations: number[],
): number[] {
  const auto = stringAttr(ctx, 'auto_pad', 'NOTSET');
  const n = size.length;
  if (auto === 'NOTSET') return intsAttr(ctx, 'pads') ?? new Array(2 * n).fill(0);
  if (auto === 'VALID') return new Array(2 * n).fill(0);
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') throw unsupported(ctx, `auto_pad ${auto}`);
  const begin: number[] = [];
  const end: number[] = [];
  size.forEach((len, i) => {
    const out = Math.ceil(len / strides[i]);
    const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - len);
    const small = Math.floor(total / 2);
    begin.push(auto === 'SAME_UPPER' ? small : total - small);
    end.push(auto === 'SAME_UPPER' ? total - small : small);
  });
  return [...begin, ...end];
}

export const CONV: Record<string, OpFn> = { Conv: conv };
