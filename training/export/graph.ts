import { onnx } from '../../format/onnx/gen/onnx.js';

/**
 * A small helper for writing ONNX graphs by hand with the generated protobuf classes: nodes get unique
 * names, constants become initializers, attributes are typed from their JavaScript values.
 */
type AttrValue = number | number[] | string | { float: number } | { graph: onnx.IGraphProto };

const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;

function attribute(name: string, value: AttrValue): onnx.IAttributeProto {
  if (typeof value === 'string')
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('graph' in value) return { name, type: AttributeType.GRAPH, g: value.graph };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

export class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  /**
   * `prefix` names the nodes and values of a subgraph (a Scan body): ONNX forbids a subgraph value that
   * shadows a name of the graph around it.
   */
  constructor(private readonly prefix = '') {}

  /** Add a node; returns its output name (`output` if given, else a fresh one). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const name = `${this.prefix}${op}_${this.counter}`;
    return this.nodeOutputs(op, inputs, attrs, [output ?? `${name}_out`])[0];
  }

  /** Add a node with several outputs (Scan: final states, then scan outputs); returns their names. */
  nodeOutputs(op: string, inputs: string[], attrs: Record<string, AttrValue>, outputs: string[]): string[] {
    const name = `${this.prefix}${op}_${this.counter++}`;
    this.nodes.push({
      name,
      opType: op,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** A float32 initializer (little-endian raw data, as every ONNX reader expects). */
  floats(name: string, dims: number[], values: Float32Array): string {
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    this.initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: raw });
    return name;
  }

  /** An int64 initializer (shapes, axes, indices). */
  int64s(name: string, dims: number[], values: number[]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dims, dataType: DataType.INT64, rawData: raw });
    return name;
  }
}

/** A tensor value-info with symbolic (string) or fixed (number) dims. */
export function valueInfo(name: string, elemType: number, dims: (string | number)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

export { DataType };
