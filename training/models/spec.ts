import type { ArchSpec } from '../../format/manifest';
import { BYTE_VOCAB } from '../../format/text';

export type { ArchSpec };

/** The seed's models: byte vocabulary, kernel 3, no residual stream, no positional encoding. */
export function makeSpec(kind: ArchSpec['kind'], opts: Partial<Omit<ArchSpec, 'kind'>> = {}): ArchSpec {
  const spec: ArchSpec = {
    kind,
    vocab: opts.vocab ?? BYTE_VOCAB,
    d_model: opts.d_model ?? 64,
    n_heads: opts.n_heads ?? 1,
    residual: opts.residual ?? false,
    pos_embed: opts.pos_embed ?? false,
    max_seq: opts.max_seq ?? 128,
  };
  if (kind === 'conv-attn') spec.kernel = opts.kernel ?? 3;
  if (spec.d_model % spec.n_heads !== 0) {
    throw new RangeError(`d_model ${spec.d_model} is not divisible by n_heads ${spec.n_heads}`);
  }
  if (spec.kernel !== undefined && spec.kernel !== 3) {
    throw new RangeError(
      `only kernel 3 (taps t-1, t, t+1 with t+1 masked) is implemented, got ${spec.kernel}`,
    );
  }
  return spec;
}

/** Number of attention layers: Conv-Attn has one (after the conv), Attn-Attn two. */
export function attentionLayers(spec: ArchSpec): number {
  return spec.kind === 'attn-attn' ? 2 : 1;
}

/** Width of one head: d_model is split evenly between heads (no output projection, as in the seed). */
export function headDim(spec: ArchSpec): number {
  return spec.d_model / spec.n_heads;
}
