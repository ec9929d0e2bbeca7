import { UsageError } from '../../../format/errors';
import type { SpecOf, AttnEntry } from '../../../format/manifest';
import { BYTE_VOCAB } from '../../../format/text';

/**
 * The conv stack of seeds 000 and 001, as a config object. Our reading of the seeds (their tables' parameter
 * counts pin it down, see `convStackParams`):
 *
 *   embedding E [256, C]
 *   layer l (l = 0..L-1):  x -> [LayerNorm(x) if norm and l < L-1] -> Conv1d(C, m*C, k, dilation d_l, 'same')
 *       attn[l] = 0:    y = conv(x)                           (m = 1)
 *       attn[l] = 'T':  q, k = split(conv(x)); y = softmax(q k^T / sqrt(C)) x      (m = 2; values = the
 *                       layer's input itself, the seeds' "QK" attention; one head)
 *       attn[l] = n:    q, k, v = split(conv(x)); y = MultiheadAttention(n heads)(q, k, v)   (m = 3; with
 *                       in/out projections, as nn.MultiheadAttention: 4C^2 + 4C parameters)
 *       x <- ReLU(y) + x                                    (residual: every layer keeps C channels)
 *   logits = x E^T                                          (output head tied to the embedding: no extra
 *                                                            parameters, which is what the counts require)
 *
 * Seed 000's counts are 4C above seed 001's formula for its 3-layer nets: two normalisation layers with a
 * gain and a bias each (2C) on the first L-1 layers' inputs, so `norm: 'layer'` reproduces them; seed 001's
 * counts have none (`norm: 'none'`).
 */
export interface ConvStackConfig {
  layers: number;
  channels: number;
  kernel: number;
  dilation: number[];
  attn: AttnEntry[];
  norm: 'none' | 'layer';
  seqLen: number;
  vocab?: number;
}

/** Parse `--attn` as the seeds write it: `0,0,T`, `0,4,0,0,4`, `T,T` (also true/false). */
export function parseAttn(s: string): AttnEntry[] {
  return s.split(',').map((t) => {
    const v = t.trim();
    if (v === 'T' || v === 't' || v === 'true' || v === 'True') return 'T';
    if (v === 'F' || v === 'false' || v === 'False') return 0;
    if (/^\d+$/.test(v)) return Number(v);
    throw new UsageError(`--attn entry '${v}' is not 0, T or a number of heads (e.g. --attn 0,0,T)`);
  });
}

export function parseIntList(flag: string, s: string): number[] {
  const parts = s.split(',').map((t) => t.trim());
  if (parts.some((p) => !/^\d+$/.test(p)))
    throw new UsageError(`${flag} must be a comma-separated list of positive integers, got '${s}'`);
  return parts.map(Number);
}

/** Refuse configurations that cannot be built, with the reason (before any training starts). */
export function validateConvStack(c: ConvStackConfig): void {
  if (!(c.layers >= 1)) throw new UsageError(`--layers must be >= 1, got ${c.layers}`);
  if (!(c.channels >= 1)) throw new UsageError(`--channels must be >= 1, got ${c.channels}`);
  if (c.kernel % 2 !== 1)
    throw new UsageError(
      `--kernel ${c.kernel} is even: 'same' padding needs an odd kernel (use ${c.kernel + 1} or ${c.kernel - 1})`,
    );
  if (c.dilation.length !== c.layers)
    throw new UsageError(
      `--dilation has ${c.dilation.length} entries for ${c.layers} layers: give one dilation per layer (or one for all)`,
    );
  if (c.dilation.some((d) => d < 1)) throw new UsageError(`--dilation entries must be >= 1`);
  if (c.attn.length !== c.layers)
    throw new UsageError(
      `--attn has ${c.attn.length} entries for ${c.layers} layers: give one per layer, e.g. ${Array(
        c.layers - 1,
      )
        .fill('0')
        .concat('T')
        .join(',')}`,
    );
  for (const a of c.attn)
    if (typeof a === 'number' && a > 0 && c.channels % a !== 0)
      throw new UsageError(`--attn ${a} heads do not divide --channels ${c.channels}`);
}

/** Channel multiplier of a layer's conv: 1 plain, 2 for Q,K ('T'), 3 for Q,K,V (n heads). */
export const convMult = (a: AttnEntry): number => (a === 'T' ? 2 : a === 0 ? 1 : 3);

/** Closed form of the parameter count (checked against both seed tables in tests/training/seeds). */
export function convStackParams(c: ConvStackConfig): number {
  const C = c.channels;
  const V = c.vocab ?? BYTE_VOCAB;
  let n = V * C; // tied embedding / head
  c.attn.forEach((a, l) => {
    const m = convMult(a);
    n += m * (C * C * c.kernel + C); // conv weight + bias
    if (typeof a === 'number' && a > 0) n += 4 * C * C + 4 * C; // MHA in_proj (3C^2 + 3C) + out_proj (C^2 + C)
    if (c.norm === 'layer' && l < c.layers - 1) n += 2 * C;
  });
  return n;
}

export function convStackSpec(c: ConvStackConfig): SpecOf<'conv-stack'> {
  validateConvStack(c);
  const heads = Math.max(1, ...c.attn.map((a) => (a === 'T' ? 1 : a)));
  return {
    kind: 'conv-stack',
    vocab: c.vocab ?? BYTE_VOCAB,
    d_model: c.channels,
    n_heads: heads,
    residual: true,
    pos_embed: false,
    max_seq: c.seqLen,
    layers: c.layers,
    channels: c.channels,
    kernel: c.kernel,
    dilation: c.dilation,
    attn: c.attn,
    norm: c.norm,
  };
}

/** The config back from a spec (checkpoints, params). */
export function convStackConfig(spec: SpecOf<'conv-stack'>): ConvStackConfig {
  return {
    layers: spec.layers!,
    channels: spec.channels ?? spec.d_model,
    kernel: spec.kernel!,
    dilation: spec.dilation!,
    attn: spec.attn!,
    norm: spec.norm ?? 'none',
    seqLen: spec.max_seq,
    vocab: spec.vocab,
  };
}
