import * as tf from '@tensorflow/tfjs-core';
import type { onnx } from '../../format/onnx/gen/onnx.js';
import { graphNode, type GraphNode } from '../../format/onnx/model';
import { UnsupportedOp } from './ops/context';
import { OPS } from './ops';
import { protoTensor } from './tensor-proto';

/**
 * An ONNX graph evaluated node by node in tfjs operations, so tfjs's autodiff (tf.grad) differentiates the
 * graph itself: any model whose ops are in the supported set (ops/index.ts), not only the architectures
 * smallscope can rebuild. Values are tfjs tensors (float32, int32 for every ONNX integer type, bool); the
 * integer side (Shape, Range, Gather on shapes, ...) is computed on the concrete input, since the graph runs
 * on one given input at a time.
 *
 * Only the nodes the fetched outputs depend on are evaluated, in a topological order found from the outputs
 * (so a node outside the supported set that nothing fetched reads does not matter), and any value can be
 * given instead of computed: feeding the output of the embedding lookup makes the graph a function of the
 * embedding vectors. Subgraphs (a Scan body) are programs of their own that read the enclosing scope's
 * values by name, as ONNX scoping allows.
 */
export class GraphEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphEvalError';
  }
}

/** What is evaluated: an OnnxModel's main graph, or a subgraph decoded by subgraphSource. */
export interface GraphSource {
  nodes: GraphNode[];
  initializers: Map<string, onnx.ITensorProto>;
  opset: number;
}

type Lookup = (name: string) => tf.Tensor | null;

export class GraphProgram {
  private readonly producer = new Map<string, GraphNode>();
  private readonly constants = new Map<string, tf.Tensor>();
  private readonly plans = new Map<string, GraphNode[]>();
  private readonly children = new WeakMap<onnx.IGraphProto, GraphProgram>();

  /** `nested`: a subgraph, whose values not made inside come from the enclosing scope. */
  constructor(
    readonly graph: GraphSource,
    private readonly nested = false,
  ) {
    for (const n of graph.nodes) for (const o of n.output) if (o) this.producer.set(o, n);
  }

  /**
   * The nodes that compute `fetch` from `given` values and the initializers, dependencies first. Throws
   * UnsupportedOp naming the first node (in graph order) whose op the interpreter does not evaluate.
   */
  plan(fetch: readonly string[], given: Iterable<string>): GraphNode[] {
    const known = new Set(given);
    const key = JSON.stringify([fetch, [...known].sort()]);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const order: GraphNode[] = [];
    const state = new Map<GraphNode, 'open' | 'done'>();
    // iterative depth-first search: a deep graph must not overflow the stack
    const stack: { node: GraphNode; next: number }[] = [];
    const visit = (value: string) => {
      if (!value || known.has(value) || this.graph.initializers.has(value)) return;
      const node = this.producer.get(value);
      if (!node) {
        if (this.nested) return; // the enclosing scope's value
        throw new GraphEvalError(`value '${value}' is neither given nor computed by a node`);
      }
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') throw nodeFailed(node, 'the graph has a cycle through it');
      state.set(node, 'open');
      stack.push({ node, next: 0 });
    };
    for (const name of fetch) {
      visit(name);
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.next < top.node.input.length) visit(top.node.input[top.next++]);
        else {
          stack.pop();
          state.set(top.node, 'done');
          order.push(top.node);
        }
      }
    }
    const bad = this.graph.nodes.find((n) => state.has(n) && !supported(n));
    if (bad) {
      const other = bad.domain && bad.domain !== 'ai.onnx';
      throw new UnsupportedOp(bad.opType, nodeName(bad), other ? `domain '${bad.domain}'` : '');
    }
    this.plans.set(key, order);
    return order;
  }

  /**
   * Evaluate: `feeds` are graph inputs or any intermediate value to use instead of computing it; `outer`
   * resolves a subgraph's names from its enclosing scope. The caller owns every tensor made here (wrap the
   * call in tf.tidy, or tf.grad, which does).
   */
  run(feeds: Record<string, tf.Tensor>, fetch: readonly string[], outer?: Lookup): Record<string, tf.Tensor> {
    const env = new Map<string, tf.Tensor>(Object.entries(feeds));
    const lookup = (name: string): tf.Tensor | null =>
      env.get(name) ?? this.constant(name) ?? outer?.(name) ?? null;
    const value = (name: string): tf.Tensor | null => {
      if (!name) return null;
      const v = lookup(name);
      if (!v) throw new GraphEvalError(`value '${name}' is not available`);
      return v;
    };
    for (const node of this.plan(fetch, Object.keys(feeds))) {
      let out: tf.Tensor | tf.Tensor[];
      try {
        out = OPS[node.opType]({
          node,
          opset: this.graph.opset,
          inputs: node.input.map(value),
          subgraph: (g, subFeeds, subFetch) => this.child(g).run(subFeeds, subFetch, lookup),
        });
      } catch (e) {
        if (e instanceof UnsupportedOp || e instanceof GraphEvalError) throw e;
        throw nodeFailed(node, (e as Error)?.message ?? String(e));
      }
      const outs = Array.isArray(out) ? out : [out];
      node.output.forEach((name, i) => {
        if (!name) return;
        if (!outs[i]) throw nodeFailed(node, `its output ${i} is not computed`);
        env.set(name, outs[i]);
      });
    }
    return Object.fromEntries(fetch.map((name) => [name, value(name)!]));
  }

  private child(g: onnx.IGraphProto): GraphProgram {
    let p = this.children.get(g);
    if (!p) {
      p = new GraphProgram(subgraphSource(g, this.graph.opset), true);
      this.children.set(g, p);
    }
    return p;
  }

  /** An initializer as a tensor, made once and kept until dispose(). */
  private constant(name: string): tf.Tensor | null {
    const cached = this.constants.get(name);
    if (cached) return cached;
    const proto = this.graph.initializers.get(name);
    if (!proto) return null;
    const t = tf.keep(protoTensor(proto));
    this.constants.set(name, t);
    return t;
  }

  dispose(): void {
    for (const t of this.constants.values()) t.dispose();
    this.constants.clear();
  }
}

/** A subgraph (an attribute's GraphProto) in the shape decodeModel gives the main graph. */
export function subgraphSource(g: onnx.IGraphProto, opset: number): GraphSource {
  return {
    nodes: (g.node ?? []).map(graphNode),
    initializers: new Map((g.initializer ?? []).map((t) => [t.name ?? '', t] as const)),
    opset,
  };
}

function nodeFailed(node: GraphNode, cause: string): GraphEvalError {
  return new GraphEvalError(`node ${nodeName(node)} (${node.opType}) failed in tfjs: ${cause}`);
}

function supported(n: GraphNode): boolean {
  return (!n.domain || n.domain === 'ai.onnx') && Object.hasOwn(OPS, n.opType);
}

function nodeName(n: GraphNode): string {
  return n.name || n.output[0] || n.opType;
}
