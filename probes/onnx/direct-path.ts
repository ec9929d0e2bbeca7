import { attr, constantTensor, type GraphNode } from '../../format/onnx/model';
import { constantInts, indexGraph, isConstant, LAYOUT_OPS, type GraphIndex } from './graph-walk';

/**
 * The direct path from a head's output z to the logits: the chain of nodes through which z reaches them
 * linearly, as TransformerLens's direct logit attribution reads it. Allowed on the way: layout ops (the heads
 * merged back into the model dimension), constant MatMul/Gemm (W_O, W_U), Add of a constant (a bias: not the
 * head's, dropped) or of another computed tensor (the residual stream: the head's part passes through),
 * Mul/Div by a constant, and LayerNorm (one LayerNormalization node, or the ReduceMean - Sub - Pow -
 * ReduceMean - Add - Sqrt - Div [- Mul] [- Add] chain PyTorch exports), which is linear once its scale is
 * frozen at the run's value. Anything else (a softmax, an activation, the next layer's Q/K/V product) ends
 * the path: what goes that way is an indirect effect.
 */
export type PathStep =
  | { op: 'layout'; node: GraphNode; output: string; perm: number[] | null }
  | { op: 'matmul'; output: string; weight: { rows: number; cols: number; data: Float64Array } }
  | { op: 'bias'; output: string }
  | { op: 'residual'; output: string }
  | { op: 'scale'; output: string; divide: boolean; dims: number[]; data: Float32Array }
  | { op: 'layernorm'; input: string; output: string; epsilon: number; gamma: Float32Array | null };

export type DirectPath = { steps: PathStep[] } | { reason: string };

const MAX_STEPS = 400;
const MAX_PATHS = 8;

export function directPath(g: GraphIndex | GraphIndex['model'], from: string, logits: string): DirectPath {
  const gi = 'consumers' in g ? g : indexGraph(g);
  const paths: PathStep[][] = [];
  const walk = (t: string, steps: PathStep[]) => {
    if (paths.length > MAX_PATHS || steps.length > MAX_STEPS) return;
    if (t === logits) {
      paths.push(steps);
      return;
    }
    const ln = decomposedLayerNorm(gi, t);
    for (const n of gi.consumers.get(t) ?? []) {
      if (ln && ln.nodes.has(n)) continue;
      const step = stepThrough(gi, n, t);
      if (step) walk(step.output, [...steps, step]);
    }
    if (ln) walk(ln.step.output, [...steps, ln.step]);
  };
  walk(from, []);
  if (paths.length === 0)
    return { reason: 'z does not reach the logits through linear maps only (no residual path to them)' };
  if (paths.length > 1)
    return { reason: `z reaches the logits by ${paths.length} linear paths; not attributed` };
  if (!paths[0].some((s) => s.op === 'matmul'))
    return { reason: 'no unembedding MatMul on the path to the logits' };
  return { steps: paths[0] };
}

/** The step a node makes of its input `t`, or null when it ends the direct path. */
function stepThrough(g: GraphIndex, n: GraphNode, t: string): PathStep | null {
  const output = n.output[0];
  if (!output) return null;
  if (LAYOUT_OPS.has(n.opType) || n.opType === 'Dropout') {
    if (n.input[0] !== t) return null;
    const perm = n.opType === 'Transpose' ? ((attr(n, 'perm') as number[] | undefined) ?? null) : null;
    return { op: 'layout', node: n, output, perm };
  }
  const other = n.input.find((i, k) => i && i !== t && k < 2) ?? null;
  const constOther = other !== null && isConst(g, other);
  switch (n.opType) {
    case 'MatMul': {
      if (n.input[0] !== t || !constOther) return null;
      const w = constant(g, other);
      if (!w || w.dims.length !== 2) return null;
      return {
        op: 'matmul',
        output,
        weight: { rows: w.dims[0], cols: w.dims[1], data: Float64Array.from(w.data) },
      };
    }
    case 'Gemm': {
      if (n.input[0] !== t || !isConst(g, n.input[1]) || attr(n, 'transA')) return null;
      const w = constant(g, n.input[1]);
      if (!w || w.dims.length !== 2) return null;
      const alpha = (attr(n, 'alpha') as number | undefined) ?? 1;
      const [r, c] = w.dims;
      const weight = attr(n, 'transB')
        ? {
            rows: c,
            cols: r,
            data: Float64Array.from(
              { length: r * c },
              (_, i) => alpha * w.data[(i % r) * c + Math.floor(i / r)],
            ),
          }
        : { rows: r, cols: c, data: Float64Array.from(w.data, (v) => alpha * v) };
      return { op: 'matmul', output, weight };
    }
    case 'Add':
      return n.input.length === 2 ? { op: constOther ? 'bias' : 'residual', output } : null;
    case 'Sub':
      // x - c or x - y: the head's part of x passes unchanged; c - x or y - x would negate it (not seen in exports)
      return n.input[0] === t && n.input[1] !== t ? { op: constOther ? 'bias' : 'residual', output } : null;
    case 'Mul':
    case 'Div': {
      if (!constOther || (n.opType === 'Div' && n.input[0] !== t)) return null;
      const c = constant(g, other);
      return c ? { op: 'scale', output, divide: n.opType === 'Div', dims: c.dims, data: c.data } : null;
    }
    case 'LayerNormalization': {
      if (n.input[0] !== t) return null;
      const axis = (attr(n, 'axis') as number | undefined) ?? -1;
      if (axis !== -1) return null;
      const gamma = n.input[1] ? constant(g, n.input[1]) : null;
      if (n.input[1] && (!gamma || gamma.dims.length !== 1)) return null;
      const epsilon = (attr(n, 'epsilon') as number | undefined) ?? 1e-5;
      return { op: 'layernorm', input: t, output, epsilon, gamma: gamma?.data ?? null };
    }
    default:
      return null;
  }
}

/**
 * LayerNorm over the last axis as PyTorch 1.x exports it:
 *   m = ReduceMean(x, -1); d = x - m; v = ReduceMean(Pow(d, 2), -1); y = d / Sqrt(v + eps) [* gamma] [+ beta]
 * Its nodes (so the walk does not also enter them one by one) and the step, or null.
 */
function decomposedLayerNorm(g: GraphIndex, x: string): { nodes: Set<GraphNode>; step: PathStep } | null {
  const readers = g.consumers.get(x) ?? [];
  const mean = readers.find((n) => n.opType === 'ReduceMean' && lastAxis(g, n));
  const sub =
    mean && readers.find((n) => n.opType === 'Sub' && n.input[0] === x && n.input[1] === mean.output[0]);
  if (!mean || !sub) return null;
  const one = (t: string, op: string) => (g.consumers.get(t) ?? []).filter((n) => n.opType === op);
  const pow = one(sub.output[0], 'Pow').find((n) => constantInts(g, n.input[1])?.[0] === 2);
  const varMean = pow && one(pow.output[0], 'ReduceMean').find((n) => lastAxis(g, n));
  const addEps = varMean && one(varMean.output[0], 'Add')[0];
  const epsName = addEps && addEps.input.find((i) => i !== varMean!.output[0]);
  const eps = epsName && isConst(g, epsName) ? constant(g, epsName)?.data[0] : undefined;
  const sqrt = addEps && one(addEps.output[0], 'Sqrt')[0];
  const div = sqrt && one(sub.output[0], 'Div').find((n) => n.input[1] === sqrt.output[0]);
  if (!pow || !varMean || !addEps || eps === undefined || !sqrt || !div) return null;
  const nodes = new Set([mean, sub, pow, varMean, addEps, sqrt, div]);
  let output = div.output[0];
  let gamma: Float32Array | null = null;
  const after = g.consumers.get(output) ?? [];
  const mul = after.length === 1 && after[0].opType === 'Mul' ? after[0] : null;
  const w = mul && mul.input.length === 2 ? mul.input.find((i) => i !== output) : undefined;
  if (mul && w && isConst(g, w)) {
    const t = constant(g, w);
    if (t && t.dims.length === 1) {
      gamma = t.data;
      nodes.add(mul);
      output = mul.output[0];
    }
  }
  return { nodes, step: { op: 'layernorm', input: x, output, epsilon: eps, gamma } };
}

/** A ReduceMean over the last axis only, with keepdims (axes as an attribute, or an input from opset 18). */
function lastAxis(g: GraphIndex, n: GraphNode): boolean {
  const axes = (attr(n, 'axes') as number[] | undefined) ?? (n.input[1] ? constantInts(g, n.input[1]) : null);
  const keep = (attr(n, 'keepdims') as number | undefined) ?? 1;
  return keep === 1 && !!axes && axes.length === 1 && axes[0] === -1;
}

/**
 * A constant's own name: PyTorch's exporter stores equal weights once and reads the copies through Identity
 * nodes (every all-ones LayerNorm weight of a fresh model is `Identity(h.0.ln_1.weight)`).
 */
function source(g: GraphIndex, name: string): string {
  for (let depth = 0; depth < 8; depth++) {
    const n = g.producer.get(name);
    if (!n || n.opType !== 'Identity') return name;
    name = n.input[0];
  }
  return name;
}
const isConst = (g: GraphIndex, name: string) => isConstant(g, source(g, name));
const constant = (g: GraphIndex, name: string) => constantTensor(g.model, source(g, name));
