import { UsageError } from '../format/errors';
import { PATTERN_RE, hookName } from '../format/manifest';
import { attr, decodeModel, staticDims, type OnnxModel } from '../format/onnx/model';
import { exposeOutputs } from './onnx/surgery';
import type { Runner } from './runner';
import type { Tensor } from './tensor';

/**
 * Finding attention in any graph, and fetching it as [batch][head][query][key] patterns.
 *
 * Our own checkpoints name their attention outputs `blocks.{l}.attn.hook_pattern`. Any other graph (a PyTorch
 * export) is searched structurally: an attention pattern is a Softmax over the last axis of a square [.., T, T]
 * score tensor. Tensor names are never used for discovery: exporters name things after their own modules
 * (`/m/Softmax_output_0`, `onnx::MatMul_48`), and those names mean nothing to us.
 *
 * Cross attention (encoder-decoder: a fixed number of output steps attending over the input positions, seed
 * 004's counting model) is a non-square [.., S, T] pattern whose key axis spans the input. It is accepted
 * with `kind: 'cross'` on its tap: queries are output steps, keys are input positions. An own checkpoint's
 * output whose declared query axis differs from its key axis (`[batch, 1, 4, 'pos']`) is cross attention even
 * when S happens to equal T; a fetched pattern [.., S, T] with S != T and T input positions is cross attention.
 *
 * The output steps may then attend to each other (seed 004's `--self_att`): an own checkpoint's output
 * declared [.., S, S] with S a fixed number (our exporters declare every attention over the tokens as 'pos')
 * is `kind: 'output-self'`, queries and keys both output steps, whatever the input's length.
 */

export const NO_ATTENTION = 'no attention found: no Softmax over the last axis of a square score tensor';

export interface AttentionTap {
  /** Canonical name, `blocks.{i}.attn.hook_pattern`, i = index among the attention found, in graph order. */
  name: string;
  /** The graph tensor fetched for it. */
  tensor: string;
  /** 'output': a canonical graph output of our checkpoints; 'softmax': found as a Softmax node. */
  source: 'output' | 'softmax';
  /** The Softmax node's name (softmax taps). */
  node: string | null;
  /** The Softmax axis as the node means it (the opset default filled in); null for output taps. */
  axis: number | null;
  /** Graph outputs that are this same tensor with only a reshape on top (PyTorch's `attn.0`). */
  aliases: string[];
  /**
   * 'cross': queries are output steps, keys input positions (a [.., S, T] pattern); 'output-self': the output
   * steps attending to each other ([.., S, S]); absent for self attention over the tokens (square [.., T, T]),
   * so self-attention taps are unchanged.
   */
  kind?: 'cross' | 'output-self';
}

/** Whether a tap holds cross attention (output step x input position). */
export const isCross = (tap: Pick<AttentionTap, 'kind'>): boolean => tap.kind === 'cross';
/** Whether a tap holds the output steps' attention to each other (output step x output step). */
export const isOutputSelf = (tap: Pick<AttentionTap, 'kind'>): boolean => tap.kind === 'output-self';
/** Whether a tap's query rows are output steps rather than tokens (cross or output self-attention). */
export const overOutputSteps = (tap: Pick<AttentionTap, 'kind'>): boolean =>
  isCross(tap) || isOutputSelf(tap);

export interface AttentionDiscovery {
  model: OnnxModel;
  /** The model bytes with every tap exposed as a graph output (the original bytes if nothing was needed). */
  bytes: Uint8Array;
  taps: AttentionTap[];
  /** Softmax nodes looked at and passed over, with the reason (for `smallscope inspect`). */
  rejected: { node: string; tensor: string; reason: string }[];
}

/** Find the attention patterns of a model; a graph without any is a UsageError. */
export function findAttention(input: Uint8Array | OnnxModel): AttentionDiscovery {
  const model = input instanceof Uint8Array ? decodeModel(input) : input;
  const found = ownPatternOutputs(model) ?? softmaxTaps(model);
  if (found.taps.length === 0) throw new UsageError(NO_ATTENTION);
  const existing = model.outputs.map((o) => o.name);
  const bytes = exposeOutputs(
    model.bytes,
    found.taps.map((t) => t.tensor),
    existing,
  );
  return { model, bytes, taps: found.taps, rejected: found.rejected };
}

function ownPatternOutputs(model: OnnxModel): Omit<AttentionDiscovery, 'model' | 'bytes'> | null {
  const own = model.outputs
    .map((o) => ({ name: o.name, layer: Number(PATTERN_RE.exec(o.name)?.[1] ?? NaN) }))
    .filter((o) => Number.isInteger(o.layer))
    .sort((a, b) => a.layer - b.layer);
  if (own.length === 0) return null;
  const taps = own.map((o): AttentionTap => ({
    name: o.name,
    tensor: o.name,
    source: 'output',
    node: null,
    axis: null,
    aliases: [],
    ...declaredKind(staticDims(model, o.name)),
  }));
  return { taps, rejected: [] };
}

/**
 * A declared [.., query, key] output whose query axis is not its key axis (`[batch, 1, 4, 'pos']`) is cross
 * attention; one whose axes are the same fixed number (`[batch, 1, 4, 4]`) is the output steps' self attention.
 */
function declaredKind(dims: (number | string | null)[] | null): Pick<AttentionTap, 'kind'> {
  if (!dims || dims.length < 2) return {};
  const [q, k] = dims.slice(-2);
  if (q === null || k === null) return {};
  if (q !== k) return { kind: 'cross' };
  return typeof q === 'number' ? { kind: 'output-self' } : {};
}

const PASS_THROUGH = new Set(['Identity', 'Unsqueeze', 'Reshape', 'Squeeze', 'Flatten']);

function softmaxTaps(model: OnnxModel): Omit<AttentionDiscovery, 'model' | 'bytes'> {
  const taps: AttentionTap[] = [];
  const rejected: AttentionDiscovery['rejected'] = [];
  const outputNames = new Set(model.outputs.map((o) => o.name));
  // ONNX requires nodes in topological order, so node order is graph order (layer order for a plain stack).
  for (const node of model.nodes) {
    if (node.opType !== 'Softmax' || (node.domain && node.domain !== 'ai.onnx')) continue;
    const tensor = node.output[0];
    const nodeName = node.name || tensor || '(unnamed)';
    if (!tensor) {
      rejected.push({ node: nodeName, tensor: '', reason: 'the Softmax has no output' });
      continue;
    }
    // Softmax's default axis changed in opset 13 (1 -> -1); before that, axis=k also meant "flatten to 2-D
    // at k", which only equals a per-row softmax when k is the last axis.
    const axis = (attr(node, 'axis') as number | undefined) ?? (model.opset >= 13 ? -1 : 1);
    const dims = staticDims(model, tensor) ?? staticDims(model, node.input[0]);
    const reason = staticReason(dims, axis);
    if (reason) {
      rejected.push({ node: nodeName, tensor, reason });
      continue;
    }
    taps.push({
      name: hookName.pattern(taps.length),
      tensor,
      source: 'softmax',
      node: nodeName,
      axis,
      aliases: aliasesOf(model, tensor, outputNames),
    });
  }
  return { taps, rejected };
}

/** Why static shapes already rule a Softmax out, or null when it may be attention (checked again at run time). */
function staticReason(dims: (number | string | null)[] | null, axis: number): string | null {
  if (!dims) return null;
  const r = dims.length;
  if (r < 2) return `rank ${r}: not a [.., query, key] tensor`;
  const a = axis < 0 ? axis + r : axis;
  if (a !== r - 1) return `softmax over axis ${axis} of a rank-${r} tensor, not the last axis`;
  const [q, k] = dims.slice(-2);
  // A fixed query axis against a symbolic key axis (e.g. [batch, 1, 4, pos]) may be cross attention: output
  // steps over the input positions, checked at run time.
  if (typeof q === 'number' && typeof k === 'number' && q !== k) return `not square: [.., ${q}, ${k}]`;
  // A fixed key axis against a symbolic query axis (e.g. [batch, seq, 256]) is a vocabulary softmax.
  if (typeof q === 'string' && typeof k === 'number') return `not square: [.., ${q}, ${k}]`;
  if (typeof q === 'string' && typeof k === 'string' && q !== k) return `not square: [.., ${q}, ${k}]`;
  return null;
}

function aliasesOf(model: OnnxModel, tensor: string, outputNames: Set<string>): string[] {
  // Consumers of each tensor's first input, indexed once: a linear walk even for graphs of many Softmaxes.
  let index = passThroughIndex.get(model);
  if (!index) {
    index = new Map();
    for (const node of model.nodes) {
      if (!PASS_THROUGH.has(node.opType) || node.output[0] === undefined) continue;
      const list = index.get(node.input[0]) ?? [];
      list.push(node.output[0]);
      index.set(node.input[0], list);
    }
    passThroughIndex.set(model, index);
  }
  const aliases: string[] = [];
  const seen = new Set([tensor]);
  let frontier = [tensor];
  for (let depth = 0; depth < 3 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const t of frontier)
      for (const out of index.get(t) ?? []) {
        if (seen.has(out)) continue; // a cycle (ONNX forbids them, a file may still hold one)
        seen.add(out);
        next.push(out);
      }
    aliases.push(...next.filter((n) => outputNames.has(n)));
    frontier = next;
  }
  return aliases;
}
const passThroughIndex = new WeakMap<OnnxModel, Map<string, string[]>>();

export interface Patterns {
  /** [batch, head, query, key] by canonical name, in layer order. */
  patterns: Record<string, Tensor>;
  /** The taps that held attention for these tokens, renamed so their indices count only those. */
  taps: AttentionTap[];
  /**
   * Taps passed over at run time (not over the sequence), with the reason. A cross-attention pattern is
   * [batch, head, output step, input position]: its tap in `taps` has `kind: 'cross'`; the output steps' self
   * attention is [batch, head, output step, output step] with `kind: 'output-self'`.
   */
  skipped: { tensor: string; reason: string }[];
}

/** Run a batch of token rows and return every attention pattern as [batch, head, query, key]. */
export async function attentionPatterns(
  runner: Runner,
  taps: readonly AttentionTap[],
  tokens: number[][],
): Promise<Patterns> {
  const fetched = await runner.run(
    tokens,
    taps.map((t) => t.tensor),
  );
  const batch = tokens.length;
  const seq = tokens[0]?.length ?? 0;
  const patterns: Record<string, Tensor> = {};
  const used: AttentionTap[] = [];
  const skipped: Patterns['skipped'] = [];
  for (const tap of taps) {
    const t = fetched[tap.tensor];
    if (!t) throw new Error(`the runtime did not return '${tap.tensor}'`);
    const shaped = isOutputSelf(tap)
      ? asOutputSelfPattern(t, batch)
      : asPattern(t, batch, seq, tap.axis, true);
    if (typeof shaped === 'string') {
      skipped.push({ tensor: tap.tensor, reason: shaped });
      continue;
    }
    const name = tap.source === 'softmax' ? hookName.pattern(used.length) : tap.name;
    const cross = !isOutputSelf(tap) && (isCross(tap) || shaped.dims[2] !== shaped.dims[3]);
    used.push(cross ? { ...tap, name, kind: 'cross' } : { ...tap, name });
    patterns[name] = shaped;
  }
  if (used.length === 0) throw new UsageError(NO_ATTENTION);
  return { patterns, taps: used, skipped };
}

/**
 * Give a fetched Softmax output the [batch, head, query, key] layout, or say why it is not attention over
 * these tokens. Only dims change: every accepted layout is already batch-major and row-major. With `cross`,
 * a non-square [.., S, T] whose key axis spans the T input positions is kept as [batch, head, S, T] (cross
 * attention: output steps over input positions); without it, only square patterns are accepted.
 */
export function asPattern(
  t: Tensor,
  batch: number,
  seq: number,
  axis: number | null,
  cross = false,
): Tensor | string {
  const dims = t.dims;
  const r = dims.length;
  if (r < 2) return `rank ${r}: not a [.., query, key] tensor`;
  if (axis !== null && (axis < 0 ? axis + r : axis) !== r - 1) {
    return `softmax over axis ${axis} of a rank-${r} tensor, not the last axis`;
  }
  const [q, k] = dims.slice(-2);
  const isCrossShape = cross && r >= 3 && q !== k && k === seq && q > 0;
  if (q !== k && !isCrossShape) return `not square: [${dims}]`;
  if (k !== seq) return `[${dims}] does not span the ${seq} input positions`;
  const lead = dims.slice(0, -2).reduce((a, b) => a * b, 1);
  // [T, T] (no batch axis), [b, T, T] (one head), [b*h, T, T] (PyTorch MultiheadAttention packs heads
  // batch-major), [b, h, T, T], [b, h1, h2, .., T, T] (extra axes read as heads).
  if (lead % batch !== 0 || (r > 3 && dims[0] !== batch))
    return `[${dims}] does not match a batch of ${batch}`;
  return { dims: [batch, lead / batch, q, seq], data: t.data };
}

/** The output steps' self attention [.., S, S] as [batch, head, S, S] (any input length), or why not. */
export function asOutputSelfPattern(t: Tensor, batch: number): Tensor | string {
  const dims = t.dims;
  const r = dims.length;
  if (r < 3) return `rank ${r}: not a [batch, .., output step, output step] tensor`;
  const [q, k] = dims.slice(-2);
  if (q !== k) return `not square: [${dims}]`;
  const lead = dims.slice(0, -2).reduce((a, b) => a * b, 1);
  if (dims[0] !== batch) return `[${dims}] does not match a batch of ${batch}`;
  return { dims: [batch, lead / batch, q, k], data: t.data };
}
