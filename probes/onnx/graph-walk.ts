import { constantTensor, type GraphNode, type OnnxModel } from '../../format/onnx/model';

/**
 * Walking an ONNX graph by tensor names: who produces a tensor, who consumes it, and whether it is a constant.
 * Used to recognise the linear maps around an attention (which MatMul weights read the conv output, where
 * the head's output goes) without relying on tensor names, which exporters choose freely.
 */
export interface GraphIndex {
  model: OnnxModel;
  producer: Map<string, GraphNode>;
  consumers: Map<string, GraphNode[]>;
  outputs: Set<string>;
}

export function indexGraph(model: OnnxModel): GraphIndex {
  const producer = new Map<string, GraphNode>();
  const consumers = new Map<string, GraphNode[]>();
  for (const n of model.nodes) {
    for (const o of n.output) producer.set(o, n);
    for (const i of n.input) {
      if (!i) continue;
      const list = consumers.get(i) ?? [];
      list.push(n);
      consumers.set(i, list);
    }
  }
  return { model, producer, consumers, outputs: new Set(model.outputs.map((o) => o.name)) };
}

/** A tensor whose value is fixed in the file: an initializer or a Constant node's output. */
export function isConstant(g: GraphIndex, name: string): boolean {
  if (g.model.initializers.has(name)) return true;
  return g.producer.get(name)?.opType === 'Constant';
}

/** Ops that only move or relabel values (a linear map that keeps every number). */
export const LAYOUT_OPS = new Set(['Transpose', 'Reshape', 'Identity', 'Squeeze', 'Unsqueeze', 'Flatten']);

/** The one non-constant input of a node, or null when it has none or several. */
export function dataInput(g: GraphIndex, node: GraphNode): string | null {
  const live = node.input.filter((i) => i && !isConstant(g, i));
  return live.length === 1 ? live[0] : null;
}

/** A constant 2-D matrix [rows, cols] in float64, or null. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function constantMatrix(g: GraphIndex, name: string): Matrix | null {
  const t = constantTensor(g.model, name);
  if (!t || t.dims.length !== 2) return null;
  return { rows: t.dims[0], cols: t.dims[1], data: Float64Array.from(t.data) };
}

/** The integer values of a constant (a Reshape's shape), or null. */
export function constantInts(g: GraphIndex, name: string): number[] | null {
  const t = constantTensor(g.model, name);
  return t ? Array.from(t.data, (v) => Math.round(v)) : null;
}
