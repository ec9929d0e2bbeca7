import { UsageError } from '../../format/errors';
import { smallInts } from './int-constant';
import { toInt, type GraphNode, type OnnxModel } from '../../format/onnx/model';

/**
 * The longest input a graph takes, found in its structure (a foreign export carries no manifest to say it):
 *
 * - a position table: a Gather from a constant [rows, d] table whose indices are the positions (a Range whose
 *   limit comes from an input's Shape, PyTorch's `torch.arange(T)`, or a `position_ids` graph input) reads
 *   row t for token t, so the text may have at most `rows` tokens (ONNX Runtime fails past it);
 * - a constant buffer sliced by the input's length (Hugging Face's causal `bias` [1, 1, N, N] cut to
 *   `[:, :, :T, :T]`): past N the slice clamps silently and the shapes stop agreeing, so the limit is N;
 * - a fixed sequence dimension of the token input.
 *
 * The smallest of these is the context. Tensor names are never used except `position_ids` for an input.
 */
export interface Context {
  max_tokens: number;
  /** What sets it: `position table /wpe/Gather`, `buffer h.0.attn.bias sliced by the input length (...)`. */
  from: string;
}

/** Ops that carry the input length (or positions) through unchanged in meaning. */
const CARRY = new Set([
  'Cast',
  'Identity',
  'Unsqueeze',
  'Squeeze',
  'Reshape',
  'Expand',
  'Concat',
  'Gather',
  'Slice',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Min',
  'Max',
]);
/** Ops that keep positions positions (a view of the same Range). */
const POSITION_VIEW = new Set(['Cast', 'Identity', 'Unsqueeze', 'Squeeze', 'Reshape', 'Expand']);

/** Dims of a constant (initializer or Constant node), without decoding its values. */
function constantDims(model: OnnxModel, consts: Map<string, GraphNode>, name: string): number[] | null {
  const init = model.initializers.get(name);
  if (init) return (init.dims ?? []).map(toInt);
  const node = consts.get(name);
  const t = node?.attribute.find((a) => a.name === 'value' && a.t)?.t;
  return t ? (t.dims ?? []).map(toInt) : null;
}

export function findContext(model: OnnxModel): Context | null {
  const consts = new Map<string, GraphNode>();
  for (const n of model.nodes) if (n.opType === 'Constant' && n.output[0]) consts.set(n.output[0], n);
  const isConst = (name: string) => model.initializers.has(name) || consts.has(name);
  const inputs = new Set(model.inputs.map((i) => i.name));
  // Tensors whose value is (a function of) the input's length: Shape of anything not constant, and what is
  // computed from it. One pass in node order (ONNX requires topological order; a file that breaks it only
  // loses findings, never loops).
  const length = new Set<string>();
  const positions = new Set<string>();
  for (const i of model.inputs) if (/position/i.test(i.name)) positions.add(i.name);
  /** Constant tensors seen through Identity/Slice: name -> the base constant and its dims. */
  const constOf = new Map<string, { name: string; dims: number[] }>();
  const candidates: Context[] = [];
  for (const n of model.nodes) {
    const [first, second] = n.input;
    if (n.opType === 'Shape' && first && !isConst(first)) n.output.forEach((o) => length.add(o));
    else if (n.opType === 'Range' && n.input[1] && length.has(n.input[1]))
      n.output.forEach((o) => positions.add(o));
    else if (POSITION_VIEW.has(n.opType) && first && positions.has(first))
      n.output.forEach((o) => positions.add(o));
    else if (CARRY.has(n.opType) && n.input.some((i) => length.has(i)))
      n.output.forEach((o) => length.add(o));
    const base = (name: string | undefined) =>
      name === undefined
        ? null
        : (constOf.get(name) ??
          (isConst(name) ? { name, dims: constantDims(model, consts, name) ?? [] } : null));
    if (n.opType === 'Identity' && base(first)) constOf.set(n.output[0], base(first)!);
    if (n.opType === 'Gather' && second && positions.has(second)) {
      const table = base(first);
      const axis = toInt(n.attribute.find((a) => a.name === 'axis')?.i ?? 0);
      const rows = table?.dims[axis < 0 ? axis + table.dims.length : axis];
      if (table && rows !== undefined && rows > 0)
        candidates.push({ max_tokens: rows, from: `position table ${n.name || n.output[0]}` });
    }
    if (n.opType === 'Slice' && first) {
      const src = base(first);
      if (!src) continue;
      constOf.set(n.output[0], src);
      const ends = n.input[2];
      if (!ends || !length.has(ends)) continue;
      const axesName = n.input[3];
      const axes = axesName ? smallInts(model, axesName) : src.dims.map((_, i) => i);
      if (!axes) continue;
      const sizes = axes
        .map((a) => src.dims[a < 0 ? a + src.dims.length : a])
        .filter((d): d is number => d !== undefined && d > 1);
      if (sizes.length === 0) continue;
      candidates.push({
        max_tokens: Math.min(...sizes),
        from: `buffer ${src.name} [${src.dims.join(', ')}] sliced by the input length in ${n.name || n.output[0]}`,
      });
    }
  }
  // A fixed length of a [batch, seq] input (the token ids, attention_mask, position_ids ...): not dim 1 of a
  // past key/value [batch, head, past, d_head], which counts heads.
  for (const i of model.inputs) {
    const seq = i.dims?.length === 2 ? i.dims[1] : undefined;
    if (inputs.has(i.name) && typeof seq === 'number' && seq > 0)
      candidates.push({ max_tokens: seq, from: `fixed input dimension ${i.name}[1]` });
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.max_tokens < a.max_tokens ? b : a));
}

/** The one line that refuses an input longer than the model's context (both lengths, and what sets it). */
export function contextError(seq: number, context: Context): UsageError {
  return new UsageError(
    `the sequence has ${seq} tokens; this model takes at most ${context.max_tokens} (${context.from}): ` +
      'shorten the input (smallscope never cuts it silently)',
  );
}

/** Refuse `seq` tokens when the graph's context is shorter. */
export function checkContext(seq: number, context: Context | null): void {
  if (context && seq > context.max_tokens) throw contextError(seq, context);
}

/** The context of any model: our manifest's learned positional embedding first, else the graph's structure. */
export function modelContext(model: OnnxModel): Context | null {
  const arch = model.manifest?.arch;
  if (arch?.pos_embed)
    return { max_tokens: arch.max_seq, from: 'manifest max_seq, learned positional embedding' };
  return findContext(model);
}
