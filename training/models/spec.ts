import type { ArchSpec, SpecOf } from '../../format/manifest';
import { BYTE_VOCAB } from '../../format/text';
import type { TransformerSpec } from '../arch/transformer/params';

export type { ArchSpec, SpecOf, TransformerSpec };

/** The seed's models: byte vocabulary, kernel 3, no residual stream, no positional encoding. */
export function makeSpec(
  kind: TransformerSpec['kind'],
  opts: Partial<Omit<SpecOf<'conv-attn'>, 'kind'>> = {},
): TransformerSpec {
  const common = {
    vocab: opts.vocab ?? BYTE_VOCAB,
    d_model: opts.d_model ?? 64,
    n_heads: opts.n_heads ?? 1,
    residual: opts.residual ?? false,
    pos_embed: opts.pos_embed ?? false,
    max_seq: opts.max_seq ?? 128,
  };
  const spec: TransformerSpec =
    kind === 'conv-attn' ? { kind, ...common, kernel: opts.kernel ?? 3 } : { kind, ...common };
  if (spec.d_model % spec.n_heads !== 0) {
    throw new RangeError(`d_model ${spec.d_model} is not divisible by n_heads ${spec.n_heads}`);
  }
  if (spec.kind === 'conv-attn' && spec.kernel !== 3) {
    throw new RangeError(
      `only kernel 3 (taps t-1, t, t+1 with t+1 masked) is implemented, got ${spec.kernel}`,
    );
  }
  return spec;
}
