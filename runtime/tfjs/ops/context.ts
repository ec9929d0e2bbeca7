import type * as tf from '@tensorflow/tfjs-core';
import { attr, type GraphNode } from '../../../format/onnx/model';
import type { onnx } from '../../../format/onnx/gen/onnx.js';

/**
 * What an op implementation sees: its node, the model's opset (attributes moved to inputs across opsets:
 * Slice at 10, Squeeze/Unsqueeze/Split/ReduceSum at 13, the other reductions at 18), and its input values
 * (null for an omitted optional input). Integer inputs that parametrise an op (shapes, axes, starts) are
 * concrete at run time, since the graph runs on one given input; ops read them with `ints`.
 */
export interface OpContext {
  node: GraphNode;
  opset: number;
  inputs: (tf.Tensor | null)[];
  /** Evaluate a subgraph attribute (a Scan body) in this node's scope. */
  subgraph(
    g: onnx.IGraphProto,
    feeds: Record<string, tf.Tensor>,
    fetch: readonly string[],
  ): Record<string, tf.Tensor>;
}

/** An op returns its outputs in the node's output order (trailing optional outputs may be left out). */
export type OpFn = (ctx: OpContext) => tf.Tensor | tf.Tensor[];

/**
 * The interpreter cannot evaluate (and so cannot differentiate) this node: an op outside the supported set,
 * another domain, or a form of a supported op it does not implement (named in `detail`). The caller falls
 * back to finite differences and names the op.
 */
export class UnsupportedOp extends Error {
  constructor(
    readonly op: string,
    readonly node: string,
    readonly detail = '',
  ) {
    super(
      `op '${op}'${node ? ` (node ${node})` : ''} is not differentiated by smallscope${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'UnsupportedOp';
  }
}

export function unsupported(ctx: OpContext, detail: string): UnsupportedOp {
  return new UnsupportedOp(ctx.node.opType, ctx.node.name || ctx.node.output[0], detail);
}

/** Input i, which the op requires. */
export function input(ctx: OpContext, i: number): tf.Tensor {
  const t = ctx.inputs[i];
  if (!t) throw unsupported(ctx, `input ${i} is missing`);
  return t;
}

/** The concrete integer values of an (int) tensor: shapes, axes, indices that parametrise an op. */
export function ints(t: tf.Tensor): number[] {
  return Array.from(t.dataSync() as ArrayLike<number>, Number);
}

export function intAttr(ctx: OpContext, name: string, fallback: number): number {
  const v = attr(ctx.node, name);
  return typeof v === 'number' ? v : fallback;
}

export function floatAttr(ctx: OpContext, name: string, fallback: number): number {
  const v = attr(ctx.node, name);
  return typeof v === 'number' ? v : fallback;
}

export function intsAttr(ctx: OpContext, name: string): number[] | undefined {
  const v = attr(ctx.node, name);
  return Array.isArray(v) ? v : undefined;
}

export function stringAttr(ctx: OpContext, name: string, fallback: string): string {
  const v = attr(ctx.node, name);
  return typeof v === 'string' ? v : fallback;
}

export function graphAttr(ctx: OpContext, name: string): onnx.IGraphProto | undefined {
  return ctx.node.attribute.find((a) => a.name === name && a.g)?.g ?? undefined;
}

export function tensorAttr(ctx: OpContext, name: string): onnx.ITensorProto | undefined {
  return ctx.node.attribute.find((a) => a.name === name && a.t)?.t ?? undefined;
}

/** A possibly negative axis as an index into `rank` dimensions. */
export function axisOf(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw unsupported(ctx, `axis ${axis} is outside a rank-${rank} tensor`);
  return a;
}

/**
 * Axes given as an attribute before `inputFrom` (the opset where they became input `index`), else as that
 * input; undefined when neither is given.
 */
export function axesArg(ctx: OpContext, inputFrom: number, index: number): number[] | undefined {
  if (ctx.opset < inputFrom) return intsAttr(ctx, 'axes');
  const t = ctx.inputs[index];
  return t ? ints(t) : undefined;
}
