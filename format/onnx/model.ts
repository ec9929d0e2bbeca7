import { onnx } from './gen/onnx.js';
import { UsageError } from '../errors';
import { MANIFEST_KEY, parseManifest, type Manifest } from '../manifest';
import { tensorData, toInt } from './tensor-data';
import { validateModel, type ExternalRef, type ValidateOptions } from './validate';

export { toInt };
export type { ValidateOptions };

/**
 * A decoded ONNX model as the probes see it: the graph's real inputs (initializers excluded), its outputs with
 * their dimensions, the default-domain opset and the smallscope manifest if the file carries one. The original
 * bytes are kept: any change to the graph is made on them (see surgery.ts), never by re-encoding the proto,
 * because our schema may be older than the exporter's and protobufjs drops fields it does not know.
 */

/** One dimension: a fixed size, a symbolic name (`batch`, `seq`) or null when the file says nothing. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  /** ONNX element type name (`float`, `int64`, ...) or null when the file gives no type. */
  elemType: string | null;
  /** null when the file gives no shape at all (unknown rank). */
  dims: Dim[] | null;
}

/** A graph node with protobuf's optional fields filled in. */
export interface GraphNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attribute: onnx.IAttributeProto[];
}

export interface OnnxModel {
  bytes: Uint8Array;
  proto: onnx.ModelProto;
  irVersion: number;
  /** Version of the default (`ai.onnx`) operator set; operator semantics (e.g. Softmax's axis) depend on it. */
  opset: number;
  producer: string;
  /** The main graph's nodes, in the file's (topological) order. Subgraphs (If, Loop bodies) are not searched. */
  nodes: GraphNode[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** value_info entries: shapes the exporter recorded for intermediate tensors (often none). */
  valueInfo: ValueInfo[];
  /** Initializers by name, decoded on demand with constantTensor(). */
  initializers: Map<string, onnx.ITensorProto>;
  manifest: Manifest | null;
  /** Why a present manifest could not be read (the model itself is still usable). */
  manifestError: string | null;
  /** External-data references inside the model's folder (only when decodeModel was given that folder). */
  externalData: ExternalRef[];
}

const ELEM_TYPES: Record<number, string> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

/** A NodeProto as the graph walks read it: absent fields as empty. Also for subgraphs (runtime/tfjs Scan). */
export function graphNode(n: onnx.INodeProto): GraphNode {
  return {
    name: n.name ?? '',
    opType: n.opType ?? '',
    domain: n.domain ?? '',
    input: n.input ?? [],
    output: n.output ?? [],
    attribute: n.attribute ?? [],
  };
}

function valueInfo(v: onnx.IValueInfoProto): ValueInfo {
  const t = v.type?.tensorType;
  const shape = t?.shape;
  return {
    name: v.name ?? '',
    elemType: t?.elemType ? (ELEM_TYPES[t.elemType] ?? `type ${t.elemType}`) : null,
    dims: shape
      ? (shape.dim ?? []).map((d) =>
          d.dimParam ? d.dimParam : d.dimValue != null ? toInt(d.dimValue) : null,
        )
      : null,
  };
}

/**
 * Decode model bytes; anything that is not an ONNX model with a graph is a UsageError naming the problem, and
 * so is a model that fails the checks of validate.ts (absurd dims, raw_data not matching them, external data
 * outside `opts.externalDataDir`, which when absent means no external data at all, as in the browser).
 */
export function decodeModel(bytes: Uint8Array, opts: ValidateOptions = {}): OnnxModel {
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    // protobufjs throws on a truncated or mis-typed field; deep nesting ends in a stack overflow RangeError.
    const why = /call stack|max depth/.test((e as Error)?.message ?? '') ? ': messages nested too deep' : '';
    throw new UsageError(`not an ONNX model (protobuf decode failed${why})`);
  }
  const graph = proto.graph;
  // Many byte strings decode as some protobuf message; a model without a graph and nodes is not one we can use.
  if (!graph || !graph.node || graph.node.length === 0) {
    throw new UsageError('not an ONNX model (no graph with nodes in the file)');
  }
  const externalData = validateModel(proto, opts);
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t] as const));
  const opsetEntry = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  let manifest: Manifest | null = null;
  let manifestError: string | null = null;
  const entry = (proto.metadataProps ?? []).find((p) => p.key === MANIFEST_KEY);
  if (entry) {
    try {
      manifest = parseManifest(entry.value ?? '');
    } catch (e) {
      manifestError = (e as Error).message;
    }
  }
  return {
    bytes,
    proto,
    irVersion: toInt(proto.irVersion ?? 0),
    opset: opsetEntry ? toInt(opsetEntry.version ?? 0) : 0,
    producer: [proto.producerName, proto.producerVersion].filter(Boolean).join(' '),
    nodes: graph.node.map(graphNode),
    // IR < 4 lists initializers among the inputs too; only the others are fed by the caller.
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
    valueInfo: (graph.valueInfo ?? []).map(valueInfo),
    initializers,
    manifest,
    manifestError,
    externalData,
  };
}

/** The float values of a constant tensor: an initializer, or the `value` of a Constant node. */
export function constantTensor(
  model: OnnxModel,
  name: string,
): { dims: number[]; data: Float32Array } | null {
  const init = model.initializers.get(name);
  if (init) return tensorData(init);
  const node = constantNodes(model).get(name);
  if (!node) return null;
  const value = node.attribute.find((a) => a.name === 'value' && a.t);
  if (value?.t) return tensorData(value.t);
  const list = attr(node, 'value_floats') ?? attr(node, 'value_ints');
  if (Array.isArray(list)) return { dims: [list.length], data: Float32Array.from(list) };
  return null;
}

/** Constant nodes by output name, built once per model: lookups stay linear in the graph's size. */
const constantIndex = new WeakMap<OnnxModel, Map<string, GraphNode>>();
function constantNodes(model: OnnxModel): Map<string, GraphNode> {
  let index = constantIndex.get(model);
  if (!index) {
    index = new Map();
    for (const node of model.nodes) {
      if (node.opType === 'Constant' && !index.has(node.output[0])) index.set(node.output[0], node);
    }
    constantIndex.set(model, index);
  }
  return index;
}

/** An attribute of a node as a plain value (int, float, ints, string), or undefined when absent. */
export function attr(node: GraphNode, name: string): number | number[] | string | undefined {
  const a = node.attribute.find((x) => x.name === name);
  if (!a) return undefined;
  switch (a.type) {
    case onnx.AttributeProto.AttributeType.INT:
      return toInt(a.i);
    case onnx.AttributeProto.AttributeType.FLOAT:
      return a.f ?? 0;
    case onnx.AttributeProto.AttributeType.INTS:
      return (a.ints ?? []).map(toInt);
    case onnx.AttributeProto.AttributeType.FLOATS:
      return (a.floats ?? []).slice();
    case onnx.AttributeProto.AttributeType.STRING:
      return new TextDecoder().decode(a.s ?? new Uint8Array());
    default:
      return undefined;
  }
}

/** Static dims of any named value (graph input, output or value_info), or null when the file does not say. */
export function staticDims(model: OnnxModel, name: string): Dim[] | null {
  let index = dimsIndex.get(model);
  if (!index) {
    index = new Map();
    for (const list of [model.valueInfo, model.outputs, model.inputs])
      for (const v of list) if (!index.has(v.name)) index.set(v.name, v.dims);
    dimsIndex.set(model, index);
  }
  if (index.has(name)) return index.get(name)!;
  const init = model.initializers.get(name);
  return init ? (init.dims ?? []).map(toInt) : null;
}
const dimsIndex = new WeakMap<OnnxModel, Map<string, Dim[] | null>>();
