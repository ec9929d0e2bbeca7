import { isCross, type AttentionTap } from '../attention';
import { PATTERN_RE } from '../../format/manifest';
import type { OnnxModel } from '../../format/onnx/model';
import { indexGraph, isConstant, type GraphIndex } from './graph-walk';

/**
 * Where a head can be edited in a graph: its output z, or failing that its pattern.
 *
 * z (TransformerLens's `hook_z`) is the pattern times the values, before the output projection: the output
 * of MatMul(pattern, V) with V computed from the input (not a constant). Its leading axes hold the batch and
 * the heads, batch-major ([batch, head, pos, d_head], PyTorch MultiheadAttention's [batch * head, pos,
 * d_head], or [batch, pos, d] for a single head), as asPattern assumes of the pattern itself, so one head of
 * one row is one block of it. Where no such MatMul reads the pattern (values multiplied from the other side,
 * an Einsum, a fused kernel), z cannot be separated and the site is the pattern: editing it changes what the
 * head reads, not only what it writes (a zero pattern still gives z = 0). A pattern that nothing on the way
 * to the logits reads (Mamba's implicit attention, computed beside the model) cannot be edited at all.
 */
export interface HeadSite {
  /** Layer index: the tap's index in `blocks.{l}.attn.hook_pattern`. */
  layer: number;
  tap: AttentionTap;
  kind: 'z' | 'pattern';
  /** The graph tensor edited: the A·V MatMul's output, or the pattern. */
  tensor: string;
  /** Why z was not used (pattern sites). */
  note: string | null;
}

export interface SiteSearch {
  sites: HeadSite[];
  /** Taps no head can be edited at, with the reason. */
  skipped: { layer: number; tap: string; reason: string }[];
}

/** Ops that pass the pattern on unchanged (inference-time Dropout is the identity). */
const PASS = new Set(['Identity', 'Dropout', 'Cast']);

export function findHeadSites(model: OnnxModel, taps: readonly AttentionTap[], logits: string): SiteSearch {
  const g = indexGraph(model);
  const sites: HeadSite[] = [];
  const skipped: SiteSearch['skipped'] = [];
  taps.forEach((tap, i) => {
    const layer = Number(PATTERN_RE.exec(tap.name)?.[1] ?? i);
    if (isCross(tap)) {
      skipped.push({ layer, tap: tap.name, reason: 'cross attention: not a head over the tokens' });
      return;
    }
    const pattern = origin(g, tap.tensor);
    if (!g.producer.has(pattern)) {
      skipped.push({ layer, tap: tap.name, reason: `'${pattern}' is not computed by a node` });
      return;
    }
    if (!reaches(g, pattern, logits)) {
      skipped.push({
        layer,
        tap: tap.name,
        reason: `the pattern does not feed '${logits}' (it is computed beside the model): ablating it changes nothing`,
      });
      return;
    }
    const av = valueProduct(g, pattern);
    if (av) sites.push({ layer, tap, kind: 'z', tensor: av.output[0], note: null });
    else
      sites.push({
        layer,
        tap,
        kind: 'pattern',
        tensor: pattern,
        note: `blocks.${layer}: no MatMul(pattern, V) reads the pattern, so z cannot be separated; the pattern is edited instead (zero: every head output 0; mean: the pattern averaged over the batch)`,
      });
  });
  return { sites, skipped };
}

/** The tensor a tap names, followed back through Identity nodes (an output alias of the Softmax). */
function origin(g: GraphIndex, name: string): string {
  for (let depth = 0; depth < 8; depth++) {
    const n = g.producer.get(name);
    if (!n || n.opType !== 'Identity') return name;
    name = n.input[0];
  }
  return name;
}

/** MatMul(pattern, V): the pattern (through pass-through ops) on the left, a computed V on the right. */
function valueProduct(g: GraphIndex, pattern: string) {
  let frontier = [pattern];
  const seen = new Set(frontier);
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const t of frontier)
      for (const n of g.consumers.get(t) ?? []) {
        if (n.opType === 'MatMul' && n.input[0] === t && !isConstant(g, n.input[1]) && n.output[0]) return n;
        if (PASS.has(n.opType) && n.input[0] === t && n.output[0] && !seen.has(n.output[0])) {
          seen.add(n.output[0]);
          next.push(n.output[0]);
        }
      }
    frontier = next;
  }
  return null;
}

/** Whether `to` depends on `from` (a walk over consumers, each tensor once). */
function reaches(g: GraphIndex, from: string, to: string): boolean {
  const seen = new Set([from]);
  const stack = [from];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t === to) return true;
    for (const n of g.consumers.get(t) ?? [])
      for (const o of n.output)
        if (o && !seen.has(o)) {
          seen.add(o);
          stack.push(o);
        }
  }
  return false;
}
