import { UsageError } from './errors';
import type { Dim, ValueInfo } from './onnx/model';

/**
 * What smallscope feeds a graph's inputs, by rule (DESIGN.md, foreign ONNX): the token ids go to the one
 * input of a single-input graph, else to `input_ids` (or `tokens`); beside them, Hugging Face-style exports
 * may take `attention_mask` (fed ones), `position_ids` (0..T-1 in every row), `token_type_ids` (zeros), and
 * past key/values with a dynamic past length (fed empty: past length 0). Any other input is refused by name
 * and shape, before a runtime sees the model. Plain data, no runtime: runtime/node and runtime/web turn
 * a FeedTensor into their own Tensor class.
 */
export type FeedRule = 'tokens' | 'ones' | 'positions' | 'zeros' | 'empty-past';

export interface FeedSpec {
  name: string;
  rule: FeedRule;
  /** ONNX element type name (`int64`, `float`, `bool`, ...); int64 when the file gives none. */
  elemType: string;
  dims: Dim[] | null;
}

export interface FeedPlan {
  tokens: FeedSpec;
  /** Every other input, in graph order. */
  others: FeedSpec[];
}

export type FeedData = BigInt64Array | Int32Array | Float32Array | Uint8Array;

/** One input tensor, runtime-neutral: `type` is the name both onnxruntime packages use. */
export interface FeedTensor {
  name: string;
  type: 'int64' | 'int32' | 'float32' | 'bool';
  data: FeedData;
  dims: number[];
}

const TOKEN_NAMES = ['input_ids', 'tokens'];
const BY_NAME: Record<string, FeedRule> = {
  attention_mask: 'ones',
  position_ids: 'positions',
  token_type_ids: 'zeros',
};
const INT_TYPES = new Set(['int64', 'int32']);
const FILLABLE = new Set(['int64', 'int32', 'float', 'bool']);
/** optimum's `past_key_values.0.key`, older `past_key_values`, `past_0`, `past.1.value`, ... */
const PAST_RE = /^past(_key_values?)?([._\d]|$)/i;

const shape = (v: ValueInfo) => (v.dims ? `[${v.dims.map((d) => d ?? '?').join(', ')}]` : '[?]');

/** The refusal for an input the rules cannot fill: one line, its name, shape and type. */
export function unfillable(v: ValueInfo, why = ''): UsageError {
  return new UsageError(
    `the model's input '${v.name}' ${shape(v)} (${v.elemType ?? 'untyped'}) is not one smallscope can fill${why}: ` +
      'it feeds token ids (input_ids or tokens), attention_mask (ones), position_ids (0..T-1), ' +
      'token_type_ids (zeros) and past key/values with a dynamic past length (empty)',
  );
}

/** Which input takes the token ids; null when no input qualifies by name or by being the only one. */
export function tokenInputName(inputs: readonly ValueInfo[]): string | null {
  if (inputs.length === 1) return inputs[0].name;
  for (const name of TOKEN_NAMES) if (inputs.some((i) => i.name === name)) return name;
  return null;
}

/** The feed plan of a graph's inputs, or a UsageError naming the first input the rules cannot fill. */
export function planFeeds(inputs: readonly ValueInfo[]): FeedPlan {
  if (inputs.length === 0) throw new UsageError('the model has no inputs to feed token ids to');
  const tokenName = tokenInputName(inputs);
  if (tokenName === null) {
    throw new UsageError(
      `this model has ${inputs.length} inputs (${inputs.map((i) => `${i.name} ${shape(i)}`).join(', ')}) and none is ` +
        'named input_ids or tokens: smallscope feeds the token ids to that input',
    );
  }
  const token = inputs.find((i) => i.name === tokenName)!;
  const tokenType = token.elemType ?? 'int64';
  if (!INT_TYPES.has(tokenType)) {
    throw new UsageError(`the model's input '${token.name}' is ${tokenType}, not token ids (int64 or int32)`);
  }
  const others: FeedSpec[] = [];
  for (const v of inputs) {
    if (v === token) continue;
    const elemType = v.elemType ?? 'int64';
    const rule = BY_NAME[v.name] ?? (PAST_RE.test(v.name) ? 'empty-past' : null);
    if (rule === null) throw unfillable(v);
    if (!FILLABLE.has(elemType)) throw unfillable(v, ` (type ${elemType})`);
    if (rule === 'empty-past') pastDims(v, 1);
    else if (v.dims && v.dims.length !== 2) throw unfillable(v, ' (expected [batch, sequence])');
    others.push({ name: v.name, rule, elemType, dims: v.dims });
  }
  return { tokens: { name: token.name, rule: 'tokens', elemType: tokenType, dims: token.dims }, others };
}

/**
 * The dims of an empty past: the batch dim (the first symbolic one, or one named like batch) gets the batch
 * size, exactly one other symbolic dim (the past length) gets 0, and the rest must be fixed numbers.
 */
function pastDims(v: ValueInfo, batch: number): number[] {
  if (!v.dims || v.dims.length < 2 || v.dims.some((d) => d === null)) {
    throw unfillable(v, ' (a past key/value input needs a known shape)');
  }
  const symbolic = v.dims.flatMap((d, i) => (typeof d === 'string' ? [i] : []));
  const named = symbolic.find((i) => /batch/i.test(v.dims![i] as string));
  const batchAxis = named ?? (symbolic[0] === 0 && symbolic.length > 1 ? 0 : -1);
  const past = symbolic.filter((i) => i !== batchAxis);
  if (past.length !== 1) throw unfillable(v, ' (its past length is not one dynamic dimension)');
  return v.dims.map((d, i) => (i === past[0] ? 0 : i === batchAxis ? batch : (d as number)));
}

/** The tensors for one run of `tokens` ([batch][pos], equal rows). */
export function buildFeeds(plan: FeedPlan, tokens: readonly (readonly number[])[]): FeedTensor[] {
  const batch = tokens.length;
  const seq = tokens[0]?.length ?? 0;
  const flat = tokens.flat();
  const ids = plan.tokens.elemType === 'int32' ? Int32Array.from(flat) : BigInt64Array.from(flat, BigInt);
  const feeds: FeedTensor[] = [
    {
      name: plan.tokens.name,
      type: plan.tokens.elemType === 'int32' ? 'int32' : 'int64',
      data: ids,
      dims: [batch, seq],
    },
  ];
  for (const spec of plan.others) feeds.push(fill(spec, batch, seq));
  return feeds;
}

/** One input filled by its rule for a batch x seq run (also used for the embedding-cut graphs). */
export function fill(spec: FeedSpec, batch: number, seq: number): FeedTensor {
  const v: ValueInfo = { name: spec.name, elemType: spec.elemType, dims: spec.dims };
  const dims = spec.rule === 'empty-past' ? pastDims(v, batch) : [batch, seq];
  const n = dims.reduce((a, b) => a * b, 1);
  const value = (i: number) => (spec.rule === 'ones' ? 1 : spec.rule === 'positions' ? i % seq : 0);
  const type = spec.elemType === 'float' ? 'float32' : (spec.elemType as FeedTensor['type']);
  const data: FeedData =
    type === 'int64'
      ? BigInt64Array.from({ length: n }, (_, i) => BigInt(value(i)))
      : type === 'int32'
        ? Int32Array.from({ length: n }, (_, i) => value(i))
        : type === 'bool'
          ? Uint8Array.from({ length: n }, (_, i) => value(i))
          : Float32Array.from({ length: n }, (_, i) => value(i));
  return { name: spec.name, type, data, dims };
}

/** How inspect and the page describe a plan: `attention_mask (ones)`, ... */
export function describeFeeds(plan: FeedPlan): string {
  const rule: Record<FeedRule, string> = {
    tokens: 'token ids',
    ones: 'ones',
    positions: '0..T-1',
    zeros: 'zeros',
    'empty-past': 'empty, past length 0',
  };
  return [plan.tokens, ...plan.others].map((s) => `${s.name} (${rule[s.rule]})`).join(', ');
}
