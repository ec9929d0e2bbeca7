import type { SpecOf } from '../../../format/manifest';
import { normal, uniform, type ParamDef } from '../init';

/** Conv-Attn and Attn-Attn: the seed-002 models share everything but the conv and the number of attentions. */
export type TransformerSpec = SpecOf<'conv-attn'> | SpecOf<'attn-attn'>;

/** Number of attention layers: Conv-Attn has one (after the conv), Attn-Attn two. */
export function attentionLayers(spec: TransformerSpec): number {
  return spec.kind === 'attn-attn' ? 2 : 1;
}

/** Width of one head: d_model is split evenly between heads (no output projection, as in the seed). */
export function headDim(spec: TransformerSpec): number {
  return spec.d_model / spec.n_heads;
}

/**
 * Names follow TransformerLens (embed.W_E, blocks.0.attn.W_Q, unembed.W_U); matrices are stored [in, out] so
 * the forward pass is `x @ W` with no transposes. The conv weight is stored tap-major [3, in, out]: tap 0
 * reads position t-1, tap 1 position t, tap 2 position t+1 (masked: it exists, as in PyTorch, but never
 * reaches the output).
 */
export function transformerParamDefs(spec: TransformerSpec): ParamDef[] {
  const D = spec.d_model;
  const V = spec.vocab;
  const defs: ParamDef[] = [
    // nn.Embedding draws N(0, 1).
    { name: 'embed.W_E', shape: [V, D], init: normal(1) },
  ];
  if (spec.pos_embed) defs.push({ name: 'pos_embed.W_pos', shape: [spec.max_seq, D], init: normal(1) });
  if (spec.kind === 'conv-attn') {
    const k = spec.kernel ?? 3;
    // nn.Conv1d: weights and bias U(+-1/sqrt(fan_in)), fan_in = in_channels * kernel.
    const bound = 1 / Math.sqrt(D * k);
    defs.push({ name: 'blocks.0.conv.W', shape: [k, D, D], init: uniform(bound) });
    defs.push({ name: 'blocks.0.conv.b', shape: [D], init: uniform(bound) });
  }
  // xavier_normal_ on a square Linear(D, D): std = sqrt(2 / (fan_in + fan_out)) = sqrt(1 / D).
  const xavier = normal(Math.sqrt(2 / (D + D)));
  for (let l = 0; l < attentionLayers(spec); l++) {
    for (const m of ['W_Q', 'W_K', 'W_V'])
      defs.push({ name: `blocks.${l}.attn.${m}`, shape: [D, D], init: xavier });
  }
  // nn.Linear(D, V): weight and bias U(+-1/sqrt(D)).
  defs.push({ name: 'unembed.W_U', shape: [D, V], init: uniform(1 / Math.sqrt(D)) });
  defs.push({ name: 'unembed.b_U', shape: [V], init: uniform(1 / Math.sqrt(D)) });
  return defs;
}
