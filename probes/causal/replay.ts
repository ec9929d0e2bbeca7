import type { PathStep } from '../onnx/direct-path';

/**
 * One head's part of a tensor carried along the direct path to the logits (probes/onnx/direct-path.ts), in
 * float64: every step is linear in it once the LayerNorm scales are the run's (TransformerLens's
 * `apply_ln_to_stack`: center over the model dimension, divide by the cached scale, then the LN weight; the
 * bias belongs to no head). Layouts follow the graph's own: each reshape takes the dims the run gave.
 */
export interface Carried {
  dims: number[];
  data: Float64Array;
}

export interface ReplayContext {
  /** Dims of the path's tensors in this run (every layout step's output). */
  dims: (name: string) => number[];
  /** The input of each LayerNorm on the path, as the run computed it. */
  value: (name: string) => { dims: number[]; data: Float32Array };
}

/**
 * Carry `x` through `steps`. `gather`, when given, is applied at the last MatMul instead of the full product:
 * for each leading row r, only column gather[r] (the next token) is computed, the path after it being only
 * biases and layout no-ops. Returns the carried logits, [rows] when gathered.
 */
export function replay(
  x: Carried,
  steps: readonly PathStep[],
  ctx: ReplayContext,
  gather?: Int32Array,
): Carried {
  const lastMatmul = steps.map((s) => s.op).lastIndexOf('matmul');
  const gatherable = gather && tailIsIdentity(steps.slice(lastMatmul + 1));
  let c = x;
  steps.forEach((s, i) => {
    if (gatherable && i > lastMatmul) return;
    switch (s.op) {
      case 'layout':
        if (s.node.opType === 'Transpose') c = transpose(c, s.perm ?? []);
        else if (!KEEPS_DIMS.has(s.node.opType)) c = { dims: ctx.dims(s.output), data: c.data };
        break;
      case 'matmul':
        c = i === lastMatmul && gatherable ? gatherColumns(c, s.weight, gather!) : matmul(c, s.weight);
        break;
      case 'scale':
        c = scale(c, s.dims, s.data, s.divide);
        break;
      case 'layernorm':
        c = layerNorm(c, ctx.value(s.input), s.epsilon, s.gamma);
        break;
      default: // a bias is not the head's; a residual add passes the head's part on unchanged
        break;
    }
  });
  return c;
}

/** Layout ops whose output has their input's dims. */
export const KEEPS_DIMS = new Set(['Identity', 'Dropout']);

/** Whether the steps after the unembedding only add biases or relabel (Identity, Dropout). */
function tailIsIdentity(steps: readonly PathStep[]): boolean {
  return steps.every(
    (s) => s.op === 'bias' || s.op === 'residual' || (s.op === 'layout' && KEEPS_DIMS.has(s.node.opType)),
  );
}

function matmul(c: Carried, w: { rows: number; cols: number; data: Float64Array }): Carried {
  const n = c.dims[c.dims.length - 1];
  if (n !== w.rows) throw new Error(`a [${c.dims}] tensor cannot multiply a [${w.rows}, ${w.cols}] weight`);
  const rows = c.data.length / n;
  const out = new Float64Array(rows * w.cols);
  for (let r = 0; r < rows; r++)
    for (let k = 0; k < n; k++) {
      const v = c.data[r * n + k];
      if (v === 0) continue; // most of z is the other heads' zeros
      for (let j = 0; j < w.cols; j++) out[r * w.cols + j] += v * w.data[k * w.cols + j];
    }
  return { dims: [...c.dims.slice(0, -1), w.cols], data: out };
}

function gatherColumns(
  c: Carried,
  w: { rows: number; cols: number; data: Float64Array },
  gather: Int32Array,
): Carried {
  const n = c.dims[c.dims.length - 1];
  const rows = c.data.length / n;
  if (n !== w.rows || rows !== gather.length)
    throw new Error(`cannot gather ${gather.length} rows of [${c.dims}]`);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const j = gather[r];
    let s = 0;
    for (let k = 0; k < n; k++) s += c.data[r * n + k] * w.data[k * w.cols + j];
    out[r] = s;
  }
  return { dims: [rows], data: out };
}

export function transpose(c: Carried, perm: readonly number[]): Carried {
  const r = c.dims.length;
  const p = perm.length === r ? perm : [...Array(r).keys()].reverse(); // no perm: reverse the axes
  const dims = p.map((a) => c.dims[a]);
  const inStride = new Array<number>(r).fill(1);
  for (let a = r - 2; a >= 0; a--) inStride[a] = inStride[a + 1] * c.dims[a + 1];
  const out = new Float64Array(c.data.length);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let a = 0; a < r; a++) src += idx[a] * inStride[p[a]];
    out[o] = c.data[src];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return { dims, data: out };
}

/** Elementwise by a constant broadcast from the right (a scalar, or a vector over the last axis). */
function scale(c: Carried, dims: number[], k: Float32Array, divide: boolean): Carried {
  const n = k.length;
  const last = dims.length === 0 ? 1 : dims[dims.length - 1];
  if (n !== 1 && !(n === last && c.dims[c.dims.length - 1] === n))
    throw new Error(
      `a [${dims}] constant does not broadcast over [${c.dims}] as a scalar or a last-axis vector`,
    );
  const out = Float64Array.from(c.data, (v, i) =>
    divide ? v / k[n === 1 ? 0 : i % n] : v * k[n === 1 ? 0 : i % n],
  );
  return { dims: c.dims, data: out };
}

/** (c - mean(c)) / sqrt(var(x) + eps) * gamma over the last axis, x being the LN's input in this run. */
function layerNorm(
  c: Carried,
  x: { dims: number[]; data: Float32Array },
  eps: number,
  gamma: Float32Array | null,
): Carried {
  const d = c.dims[c.dims.length - 1];
  if (x.data.length !== c.data.length || x.dims[x.dims.length - 1] !== d)
    throw new Error(`the LayerNorm input [${x.dims}] does not match the carried [${c.dims}]`);
  const out = new Float64Array(c.data.length);
  for (let at = 0; at < c.data.length; at += d) {
    let mx = 0;
    let mc = 0;
    for (let k = 0; k < d; k++) {
      mx += x.data[at + k];
      mc += c.data[at + k];
    }
    mx /= d;
    mc /= d;
    let v = 0;
    for (let k = 0; k < d; k++) v += (x.data[at + k] - mx) ** 2;
    const s = Math.sqrt(v / d + eps);
    for (let k = 0; k < d; k++) out[at + k] = ((c.data[at + k] - mc) / s) * (gamma ? gamma[k] : 1);
  }
  return { dims: c.dims, data: out };
}
