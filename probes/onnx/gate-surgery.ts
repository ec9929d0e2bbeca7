import { UsageError } from '../../format/errors';
import { onnx } from '../../format/onnx/gen/onnx.js';
import type { OnnxModel } from '../../format/onnx/model';
import { concatBytes, fieldHead, lengthDelimited, wireFields, type WireField } from '../../format/onnx/wire';
import type { HeadSite } from './head-sites';

/**
 * Head gates: every edited tensor X (a head site's z or pattern, [.., pos, width] with the batch and heads in
 * its leading axes) becomes
 *
 *   X' = Reshape(Reshape(X, [-1, pos, width]) * keep + fill, Shape(X))      // [batch * head, pos, width]
 *
 * where `keep` [rows * heads, 1, 1] and `fill` [rows * heads, 1 | pos, 1 | width] are new graph inputs, so
 * one run can zero, mean-ablate or patch any head in any row of the batch (rows are copies of the input,
 * one per edit: all heads' ablations in H + 1 forwards' work). keep = 1 and fill = 0 as [1, 1, 1] broadcast
 * to every row and head, whatever the batch: the unmodified model. X itself (before the edit) is exposed as a
 * graph output, `raw`: the run's `hook_z`.
 *
 * The edit is made on the bytes (wire.ts), as prune.ts does: the producer of X is copied with only its output
 * renamed to `raw`, the gate nodes follow it (topological order holds), and every reader of X now reads X'
 * under X's own name, unchanged. Every other byte is the exporter's. keep and fill are plain inputs, not
 * initializers with defaults: onnxruntime-web refuses to feed an initializer, so every run feeds them.
 */
export interface Gate {
  site: HeadSite;
  /** X before the edit, a graph output. */
  raw: string;
  keep: string;
  fill: string;
}

export interface GatedModel {
  bytes: Uint8Array;
  gates: Gate[];
}

const GRAPH = 7;
const G = { node: 1, initializer: 5, input: 11, output: 12 } as const;
const NODE_OUTPUT = 2;
const INT64 = onnx.TensorProto.DataType.INT64;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const PREFIX = 'smallscope/causal';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Gate every site. `bytes` is the model as it will run: model.bytes, or those bytes with outputs appended
 * (findAttention's), which decode to the same nodes.
 */
export function insertGates(model: OnnxModel, bytes: Uint8Array, sites: readonly HeadSite[]): GatedModel {
  // Slice with starts/ends as inputs (the tensor's last two dims) is opset 10's.
  if (model.opset < 10)
    throw new UsageError(
      `the causal probes edit heads with Slice and Reshape of opset 10 or later; the model has opset ${model.opset}`,
    );
  const taken = new Set(model.nodes.flatMap((n) => [...n.input, ...n.output]));
  const byNode = new Map<number, Gate[]>();
  const gates = sites.map((site): Gate => {
    const k = (s: string) => `${PREFIX}/${site.layer}/${s}`;
    if ([k('raw'), k('keep'), k('fill')].some((n) => taken.has(n)))
      throw new UsageError(`the model already has tensors named ${k('*')}: it has been gated before`);
    const gate = { site, raw: k('raw'), keep: k('keep'), fill: k('fill') };
    const at = model.nodes.findIndex((n) => n.output.includes(site.tensor));
    if (at < 0) throw new Error(`no node computes '${site.tensor}'`);
    byNode.set(at, [...(byNode.get(at) ?? []), gate]);
    return gate;
  });
  if (gates.length === 0) return { bytes, gates };

  const top = wireFields(bytes);
  const graphs = top.filter((f) => f.field === GRAPH && f.wireType === 2);
  let nodeIndex = 0;
  const rewritten = graphs.map((g, gi) => {
    const parts: Uint8Array[] = [];
    for (const f of wireFields(bytes, g.bodyStart, g.bodyEnd)) {
      if (f.field !== G.node) {
        parts.push(bytes.subarray(f.start, f.end));
        continue;
      }
      const here = byNode.get(nodeIndex++);
      if (!here) {
        parts.push(bytes.subarray(f.start, f.end));
        continue;
      }
      const renames = new Map(here.map((gate) => [gate.site.tensor, gate.raw]));
      parts.push(lengthDelimited(G.node, [renameOutputs(bytes, f, renames)]));
      for (const gate of here)
        for (const n of gateNodes(gate)) parts.push(message(G.node, n, onnx.NodeProto));
    }
    if (gi === graphs.length - 1) {
      for (const t of constants()) parts.push(message(G.initializer, t, onnx.TensorProto));
      for (const gate of gates)
        for (const name of [gate.keep, gate.fill])
          parts.push(message(G.input, floatInput(name), onnx.ValueInfoProto));
      for (const gate of gates)
        parts.push(lengthDelimited(G.output, [lengthDelimited(1, [encoder.encode(gate.raw)])]));
    }
    // the field's head, then its parts: the whole model is copied once, by the concatBytes below
    return [
      fieldHead(
        GRAPH,
        parts.reduce((n, p) => n + p.length, 0),
      ),
      ...parts,
    ];
  });
  if (nodeIndex !== model.nodes.length) throw new Error('the model bytes do not hold the decoded nodes');
  let gi = 0;
  const out = top.flatMap((f) =>
    f.field === GRAPH && f.wireType === 2 ? rewritten[gi++] : [bytes.subarray(f.start, f.end)],
  );
  return { bytes: concatBytes(out), gates };
}

/** A NodeProto's payload with the named outputs renamed, every other field copied as written. */
function renameOutputs(bytes: Uint8Array, node: WireField, renames: Map<string, string>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of wireFields(bytes, node.bodyStart, node.bodyEnd)) {
    const name =
      f.field === NODE_OUTPUT && f.wireType === 2
        ? decoder.decode(bytes.subarray(f.bodyStart, f.bodyEnd))
        : null;
    const to = name === null ? undefined : renames.get(name);
    parts.push(
      to === undefined ? bytes.subarray(f.start, f.end) : lengthDelimited(NODE_OUTPUT, [encoder.encode(to)]),
    );
  }
  return concatBytes(parts);
}

const C = {
  minusOne: `${PREFIX}/minus_one`,
  lastTwo: `${PREFIX}/last_two`,
  end: `${PREFIX}/end`,
};

function constants(): onnx.TensorProto.$Properties[] {
  const int64 = (name: string, v: number) => ({ name, dims: [1], dataType: INT64, int64Data: [v] });
  // Slice clamps `end` to the dimension: any bound past the rank reads to the last axis.
  return [int64(C.minusOne, -1), int64(C.lastTwo, -2), int64(C.end, 2 ** 31 - 1)];
}

function gateNodes(gate: Gate): onnx.NodeProto.$Properties[] {
  const k = (s: string) => `${PREFIX}/${gate.site.layer}/${s}`;
  const node = (
    opType: string,
    input: string[],
    output: string,
    attribute: onnx.AttributeProto.$Properties[] = [],
  ) => ({
    opType,
    input,
    output: [output],
    name: output,
    attribute,
  });
  return [
    node('Shape', [gate.raw], k('shape')), // [rank]: X's dims
    node('Slice', [k('shape'), C.lastTwo, C.end], k('tail')), // [2]: pos, width
    node('Concat', [C.minusOne, k('tail')], k('blocks'), [
      { name: 'axis', i: 0, type: onnx.AttributeProto.AttributeType.INT },
    ]),
    node('Reshape', [gate.raw, k('blocks')], k('flat')), // [batch * head, pos, width]
    node('Mul', [k('flat'), gate.keep], k('kept')), // keep [rows * heads | 1, 1, 1]
    node('Add', [k('kept'), gate.fill], k('filled')), // fill [rows * heads | 1, 1 | pos, 1 | width]
    node('Reshape', [k('filled'), k('shape')], gate.site.tensor), // X's own dims and name
  ];
}

/** A float input of rank 3 and unknown dims. */
function floatInput(name: string): onnx.ValueInfoProto.$Properties {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{}, {}, {}] } } } };
}

function message<T>(field: number, value: T, type: { encode(v: T): { finish(): Uint8Array } }): Uint8Array {
  return lengthDelimited(field, [type.encode(value).finish()]);
}
