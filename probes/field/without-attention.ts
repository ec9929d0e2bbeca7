import { findAttention, isCross } from '../attention';
import { UsageError } from '../../format/errors';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { cutAtEmbedding, type CutModel } from '../onnx/cut-embedding';
import { decodeModel, type OnnxModel } from '../../format/onnx/model';
import type { Runner } from '../runner';
import { receptiveField, type FieldOptions, type FieldResult } from './field-probe';

/**
 * The same network with its attention taken out of the receptive field: every self-attention pattern
 * A [.., T, T] is replaced by the identity I, so each query reads only its own position's value and attention
 * moves nothing between positions. What is left is the path through the convs (and residuals, norms,
 * read-out) alone: the receptive field of seed 000's plots (a 3-layer conv net, kernel 7 dilations 1,1,1:
 * radius 9; kernel 13 dilations 5,7,1: radius 78), measured on the trained weights of a model that has
 * attention, so the pair "with / without attention" shows how far attention reaches beyond the convs.
 *
 * Why the identity and not a zero pattern or a dropped layer: A = 0 also cuts the value path, so a model with
 * no residual (seed 002's Conv-Attn: logits = W (A V)) would see nothing at all; A = I keeps the value at its
 * own position (Conv-Attn becomes its conv path, W V conv(e)), and for seed 000's residual `h + A v` layers it
 * leaves the local term. Dropping the layer would need to know the architecture; this works on any graph the
 * probes find attention in (own checkpoints and PyTorch exports alike).
 *
 * The graph is re-encoded (as cut-embedding.ts does, and for the same reason: node inputs must be rewired,
 * which appending bytes cannot express). The identity is built from the pattern's own shape, so it works for
 * any sequence length and head layout: Expand(Cast(Equal(i[:, None], i[None, :])), Shape(A)), i = Range(T).
 */
export interface WithoutAttention {
  model: OnnxModel;
  /** the pattern tensors replaced by the identity, in graph order */
  replaced: string[];
}

export const NO_SELF_ATTENTION =
  'no self-attention to take out: the model has no square [.., T, T] attention pattern';

const INT64 = onnx.TensorProto.DataType.INT64;
const INT = onnx.AttributeProto.AttributeType.INT;

function int64(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return onnx.TensorProto.create({ name, dims, dataType: INT64, int64Data: values });
}

export function withoutAttention(model: OnnxModel): WithoutAttention {
  if (model.opset < 11) {
    throw new UsageError(
      `taking attention out needs opset 11 or later (Range, negative Gather indices); the model has ${model.opset}`,
    );
  }
  const taps = findAttention(model).taps.filter((t) => !isCross(t));
  if (taps.length === 0) throw new UsageError(NO_SELF_ATTENTION);
  const graph = model.proto.graph!;
  // copies: the rewiring below must not touch the caller's model
  const nodes = (graph.node ?? []).map((n) => onnx.NodeProto.create({ ...n, input: [...(n.input ?? [])] }));
  const inits = [...(graph.initializer ?? [])];
  const replaced: string[] = [];
  taps.forEach((tap, i) => {
    const p = tap.tensor;
    const at = nodes.findIndex((n) => (n.output ?? []).includes(p));
    if (at < 0) return; // not computed in the graph (an input): nothing to rewire
    const k = (s: string) => `smallscope/without_attention/${i}/${s}`;
    inits.push(
      int64(k('last'), [], [-1]),
      int64(k('zero'), [], [0]),
      int64(k('one'), [], [1]),
      int64(k('col'), [2], [-1, 1]),
      int64(k('row'), [2], [1, -1]),
    );
    const make = (op: string, input: string[], out: string, attribute: onnx.IAttributeProto[] = []) =>
      onnx.NodeProto.create({ opType: op, input, output: [k(out)], name: k(out), attribute });
    const identity = [
      make('Shape', [p], 'shape'), // [rank]
      make('Gather', [k('shape'), k('last')], 'T', [{ name: 'axis', i: 0, type: INT }]), // scalar: the key axis
      make('Range', [k('zero'), k('T'), k('one')], 'i'), // [T]
      make('Reshape', [k('i'), k('col')], 'ic'), // [T, 1]
      make('Reshape', [k('i'), k('row')], 'ir'), // [1, T]
      make('Equal', [k('ic'), k('ir')], 'eq'), // [T, T] bool
      // CastLike keeps A's element type (float16 exports); before opset 15, float as our checkpoints use
      model.opset >= 15
        ? make('CastLike', [k('eq'), p], 'eye')
        : make('Cast', [k('eq')], 'eye', [{ name: 'to', i: onnx.TensorProto.DataType.FLOAT, type: INT }]),
      make('Expand', [k('eye'), k('shape')], 'pattern'), // A's shape: [.., T, T]
    ];
    // every reader of A now reads I; A itself is still computed (and still a graph output where it was one)
    for (const n of nodes) n.input = n.input.map((name) => (name === p ? k('pattern') : name));
    nodes.splice(at + 1, 0, ...identity);
    replaced.push(p);
  });
  if (replaced.length === 0) throw new UsageError(NO_SELF_ATTENTION);
  const out = onnx.ModelProto.create({
    ...model.proto,
    graph: onnx.GraphProto.create({ ...graph, node: nodes, initializer: inits }),
  });
  return { model: decodeModel(onnx.ModelProto.encode(out).finish()), replaced };
}

/** A model with attention taken out, cut after its embedding: what a runner for fieldWithoutAttention runs. */
export interface AblatedModel extends WithoutAttention {
  cut: CutModel;
}

export function ablateAttention(model: OnnxModel): AblatedModel {
  const w = withoutAttention(model);
  return { ...w, cut: cutAtEmbedding(w.model) };
}

/**
 * The receptive field of the same position with attention taken out (ablateAttention), on the rewired graph:
 * exact when the caller differentiates that graph (`profiler`, over `ablated.model`), else central finite
 * differences run by `runner` (onnxruntime-node or -web over `ablated.cut`) with every position perturbed; either
 * way the zeros outside the conv support are measured rather than assumed.
 */
export async function fieldWithoutAttention(
  ablated: AblatedModel,
  runner: Runner,
  tokens: number[][],
  opts: Omit<FieldOptions, 'attention' | 'perturbAll'>,
): Promise<FieldResult> {
  const r = await receptiveField(ablated.model, ablated.cut.table, runner, tokens, {
    ...opts,
    attention: false,
    perturbAll: true,
  });
  r.theoretical.note = 'support of the convs the output still depends on';
  r.notes.push(
    `attention taken out: ${ablated.replaced.length} pattern(s) replaced by the identity (each query reads only its own position)`,
  );
  return r;
}
