import type { OnnxModel } from '../../format/onnx/model';
import { concatBytes, lengthDelimited, wireFields, type WireField } from '../../format/onnx/wire';

/**
 * The model cut down to what some tensors need: its graph outputs become exactly `outputs`, and every node and
 * initializer they do not depend on is removed. ONNX Runtime runs every node of a graph whatever is fetched;
 * the page fetches only attention patterns, so in a one-attention-layer model the pattern-times-value product
 * and the unembedding (a second T x T x d product, 40% of a run at 2048 tokens) were computed for nothing.
 *
 * The remaining nodes compute exactly what they computed before (same inputs, same operators), so a fetched
 * tensor is the same number in the cut model. The cut is made on the bytes (wire.ts): entries are dropped,
 * every other field is copied as written, including fields our schema does not know.
 *
 * Returns null where it would not be safe or would change nothing: a node with a subgraph (If, Loop, Scan
 * bodies may read outer tensors by name), a requested tensor no node produces, or nothing to remove.
 */
export function pruneToOutputs(model: OnnxModel, outputs: readonly string[]): Uint8Array | null {
  if (outputs.length === 0) return null;
  if (model.nodes.some((n) => n.attribute.some((a) => a.g || (a.graphs && a.graphs.length > 0)))) return null;
  const produced = new Set(model.nodes.flatMap((n) => n.output));
  if (outputs.some((o) => !produced.has(o))) return null;

  // Walk back from the outputs: a node is kept when something needed is one of its outputs.
  const needed = new Set(outputs);
  const keep = new Array<boolean>(model.nodes.length).fill(false);
  for (let i = model.nodes.length - 1; i >= 0; i--) {
    const node = model.nodes[i];
    if (!node.output.some((o) => needed.has(o))) continue;
    keep[i] = true;
    for (const input of node.input) if (input) needed.add(input);
  }
  const sameOutputs =
    model.outputs.length === outputs.length && model.outputs.every((o, i) => o.name === outputs[i]);
  if (keep.every(Boolean) && sameOutputs) return null;

  const bytes = model.bytes;
  const top = wireFields(bytes);
  const graphs = top.filter((f) => f.field === GRAPH && f.wireType === 2);
  const graphFields = graphs.map((g) => wireFields(bytes, g.bodyStart, g.bodyEnd));
  // Nodes of repeated `graph` fields concatenate in order (protobuf's merge), as decodeModel read them.
  const nodeCount = graphFields.reduce((n, fs) => n + fs.filter((f) => f.field === G.node).length, 0);
  if (nodeCount !== model.nodes.length) return null;

  const listedInputs = new Set(
    graphFields.flatMap((fs) => fs.filter((f) => f.field === G.input).map((f) => stringField(bytes, f, 1))),
  );
  // An output that already exists keeps its declared type and shape; a new one is a bare name.
  const declared = new Map<string, Uint8Array>();
  for (const fs of graphFields)
    for (const f of fs)
      if (f.field === G.output) declared.set(stringField(bytes, f, 1), bytes.subarray(f.start, f.end));

  let node = 0;
  const rewritten = graphFields.map((fs, gi) => {
    const parts: Uint8Array[] = [];
    for (const f of fs) {
      const piece = bytes.subarray(f.start, f.end);
      if (f.field === G.node) {
        if (keep[node++]) parts.push(piece);
      } else if (f.field === G.output) {
        continue;
      } else if (f.field === G.initializer) {
        const name = stringField(bytes, f, TENSOR_NAME);
        if (needed.has(name) || listedInputs.has(name)) parts.push(piece);
      } else parts.push(piece);
    }
    if (gi === 0) for (const name of outputs) parts.push(declared.get(name) ?? valueInfo(name));
    return lengthDelimited(GRAPH, parts);
  });

  const out: Uint8Array[] = [];
  let g = 0;
  for (const f of top)
    out.push(f.field === GRAPH && f.wireType === 2 ? rewritten[g++] : bytes.subarray(f.start, f.end));
  return concatBytes(out);
}

/** ModelProto.graph. */
const GRAPH = 7;
/** GraphProto fields. */
const G = { node: 1, initializer: 5, input: 11, output: 12 } as const;
/** TensorProto.name. */
const TENSOR_NAME = 8;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** A string field of the message in `f`'s payload ('' when absent). */
function stringField(bytes: Uint8Array, f: WireField, field: number): string {
  const s = wireFields(bytes, f.bodyStart, f.bodyEnd).find((x) => x.field === field && x.wireType === 2);
  return s ? utf8.decode(bytes.subarray(s.bodyStart, s.bodyEnd)) : '';
}

/** GraphProto.output entry holding only a name: ValueInfoProto { name }. */
function valueInfo(name: string): Uint8Array {
  return lengthDelimited(G.output, [lengthDelimited(1, [encoder.encode(name)])]);
}
