import type { AttentionTap } from '../attention';
import { findEmbedding } from './embedding';
import {
  constantInts,
  constantMatrix,
  dataInput,
  indexGraph,
  isConstant,
  LAYOUT_OPS,
  type GraphIndex,
  type Matrix,
} from './graph-walk';
import type { GraphNode } from '../../format/onnx/model';

/**
 * The weights around one attention found in a graph, recognised by structure:
 *
 *   x -> MatMul(W_Q) [-> Reshape(.., H, d_head)] -> ... -> MatMul(Q, K^T) -> scale/mask -> Softmax -> MatMul(., V)
 *   x -> MatMul(W_K) ...                                                                              |
 *   x -> MatMul(W_V) ...  ------------------------------------------------------------------------------
 *   MatMul(., V) -> [Transpose/Reshape] -> [MatMul(W_O)] -> MatMul(W_U) [+ b_U] -> graph output
 *
 * Linear weights are MatMul initializers in the row-vector layout [in, out] (PyTorch stores nn.Linear weights
 * transposed this way as `onnx::MatMul_NN`; our exporter writes them the same way). `x` is where Q/K/V read:
 * a Conv's output (through Transpose/Identity) or the embedding lookup. Anything else is reported as
 * unrecognised with a note, and the weight-based scores that need it are left out.
 */
export interface AttentionWeights {
  /** row-vector [d_model, H * d_head] */
  wq: Matrix;
  wk: Matrix;
  wv: Matrix | null;
  heads: number;
  dHead: number;
  /** What Q/K (and V) read: a conv node's name, the embedding, or null (unrecognised). */
  qkSource: Source;
  vSource: Source;
  /** Output projection [H * d_head, d_model] when there is one, and the unembedding [d, vocab]. */
  wo: Matrix | null;
  wu: Matrix | null;
  notes: string[];
}

export type Source = { kind: 'conv'; node: GraphNode } | { kind: 'embedding'; node: GraphNode } | null;

const ELEMENTWISE = new Set(['Where', 'Add', 'Sub', 'Div', 'Mul', 'Identity', 'Cast']);

export function attentionWeights(
  gOrModel: GraphIndex | GraphIndex['model'],
  tap: AttentionTap,
): AttentionWeights | { error: string } {
  const g = 'consumers' in gOrModel ? gOrModel : indexGraph(gOrModel);
  const softmax = g.producer.get(tap.tensor);
  if (!softmax || softmax.opType !== 'Softmax')
    return { error: 'the attention tensor is not a Softmax output' };
  const scores = findScoresMatMul(g, softmax.input[0]);
  if (!scores) return { error: 'no MatMul(Q, K^T) found before the Softmax' };
  const q = projection(g, scores.input[0]);
  const k = projection(g, scores.input[1]);
  if (!q || !k) return { error: 'Q or K is not a MatMul with a constant weight' };
  const notes: string[] = [];
  const heads = q.heads ?? k.heads ?? 1;
  const dHead = q.w.cols / heads;
  const av = (g.consumers.get(tap.tensor) ?? []).find(
    (n) => n.opType === 'MatMul' && n.input[0] === tap.tensor,
  );
  const v = av ? projection(g, av.input[1]) : null;
  if (!v) notes.push('V is not a MatMul with a constant weight: no OV circuit');
  const out = av ? outputPath(g, av.output[0]) : null;
  if (av && !out) notes.push('the head output does not reach a graph output through linear maps only');
  const source = (x: string): Source => sourceOf(g, x);
  return {
    wq: q.w,
    wk: k.w,
    wv: v?.w ?? null,
    heads,
    dHead,
    qkSource: q.x === k.x ? source(q.x) : null,
    vSource: v ? source(v.x) : null,
    wo: out?.wo ?? null,
    wu: out?.wu ?? null,
    notes,
  };
}

function findScoresMatMul(g: GraphIndex, name: string): GraphNode | null {
  let frontier = [name];
  // `seen` keeps the walk linear: without it, nodes with many inputs (Sum) fan out exponentially with depth.
  const seen = new Set(frontier);
  for (let depth = 0; depth < 8 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const t of frontier) {
      const n = g.producer.get(t);
      if (!n) continue;
      if (n.opType === 'MatMul' && n.input.every((i) => !isConstant(g, i))) return n;
      if (!ELEMENTWISE.has(n.opType)) continue;
      for (const i of n.input) {
        if (!i || seen.has(i) || isConstant(g, i)) continue;
        seen.add(i);
        next.push(i);
      }
    }
    frontier = next;
  }
  return null;
}

/** Walk back from Q, K^T or V to the MatMul(x, W) that made it; note a Reshape into (H, d_head). */
function projection(g: GraphIndex, name: string): { w: Matrix; x: string; heads: number | null } | null {
  let heads: number | null = null;
  for (let depth = 0; depth < 8; depth++) {
    const n = g.producer.get(name);
    if (!n) return null;
    if (n.opType === 'MatMul' && isConstant(g, n.input[1]) && !isConstant(g, n.input[0])) {
      const w = constantMatrix(g, n.input[1]);
      return w ? { w, x: n.input[0], heads } : null;
    }
    if (n.opType === 'Reshape') {
      const shape = constantInts(g, n.input[1]);
      if (shape && shape.length === 4 && shape[2] > 0) heads = shape[2];
    }
    const scaleOrBias = (n.opType === 'Add' || n.opType === 'Mul' || n.opType === 'Div') && dataInput(g, n);
    if (!LAYOUT_OPS.has(n.opType) && !scaleOrBias) return null;
    name = LAYOUT_OPS.has(n.opType) ? n.input[0] : (dataInput(g, n) as string);
  }
  return null;
}

/** From the head output (A V) forward to the logits: up to two constant MatMuls (W_O, W_U). */
function outputPath(g: GraphIndex, name: string): { wo: Matrix | null; wu: Matrix } | null {
  const mats: Matrix[] = [];
  for (let depth = 0; depth < 12; depth++) {
    if (g.outputs.has(name)) break;
    const next = g.consumers.get(name) ?? [];
    if (next.length !== 1) return null;
    const n = next[0];
    if (n.opType === 'MatMul') {
      if (n.input[0] !== name || !isConstant(g, n.input[1])) return null;
      const w = constantMatrix(g, n.input[1]);
      if (!w) return null;
      mats.push(w);
    } else if (!LAYOUT_OPS.has(n.opType) && n.opType !== 'Add') {
      return null; // a nonlinearity or another attention: not the direct path
    }
    name = n.output[0];
  }
  if (!g.outputs.has(name) || mats.length === 0 || mats.length > 2) return null;
  return mats.length === 2 ? { wo: mats[0], wu: mats[1] } : { wo: null, wu: mats[0] };
}

function sourceOf(g: GraphIndex, name: string): Source {
  const emb = findEmbedding(g.model);
  for (let depth = 0; depth < 6; depth++) {
    const n = g.producer.get(name);
    if (!n) return null;
    if (n.opType === 'Conv') return { kind: 'conv', node: n };
    if (n.opType === 'Gather' && emb && (n.name || n.output[0]) === emb.node)
      return { kind: 'embedding', node: n };
    if (!LAYOUT_OPS.has(n.opType)) return null;
    name = n.input[0];
  }
  return null;
}

/** Head h's block of a row-vector projection [d_model, H d_head] in the nn.Linear layout [d_head, d_model]. */
export function headRows(w: Matrix, h: number, dHead: number): Float64Array {
  const out = new Float64Array(dHead * w.rows);
  for (let j = 0; j < dHead; j++)
    for (let m = 0; m < w.rows; m++) out[j * w.rows + m] = w.data[m * w.cols + h * dHead + j];
  return out;
}

/** Rows h d_head .. (h+1) d_head of a row-vector matrix [H d_head, cols]. */
export function rowBlock(w: Matrix, h: number, dHead: number): Float64Array {
  return w.data.slice(h * dHead * w.cols, (h + 1) * dHead * w.cols);
}
