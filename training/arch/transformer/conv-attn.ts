import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, causalMask } from '../../layers/attention';
import { causalConv } from '../../layers/conv';
import { embed } from '../../layers/embedding';
import type { SpecOf } from '../../../format/manifest';
import type { Params } from '../../models/params';
import { unembed } from '../../layers/unembed';
import type { ModelOutput } from '../architecture';

/**
 * Conv-Attn (seed 002, model A): embedding -> causal conv (k=3, future tap masked) -> attention -> head.
 *
 * The conv is what lets one attention layer act as an induction head: it mixes x[t-1] into position t, so a
 * key can carry "the token before me" (a smeared key) and a query for token a can find the position after an
 * earlier a. Attn-Attn has to build that previous-token information with a whole first attention layer.
 *
 * With `residual`, each sublayer adds to its input instead of replacing it; the seed has none.
 */
export function convAttnForward(spec: SpecOf<'conv-attn'>, p: Params, tokens: tf.Tensor2D): ModelOutput {
  const T = tokens.shape[1];
  const x0 = embed(tokens, p['embed.W_E'] as tf.Tensor2D, p['pos_embed.W_pos'] as tf.Tensor2D | undefined); // [batch, pos, d_model]
  const convOut = causalConv(x0, p['blocks.0.conv.W'] as tf.Tensor3D, p['blocks.0.conv.b'] as tf.Tensor1D); // [batch, pos, d_model]
  const x1 = spec.residual ? tf.add(x0, convOut) : convOut;
  const attn = causalAttention(
    x1 as tf.Tensor3D,
    p['blocks.0.attn.W_Q'] as tf.Tensor2D,
    p['blocks.0.attn.W_K'] as tf.Tensor2D,
    p['blocks.0.attn.W_V'] as tf.Tensor2D,
    spec.n_heads,
    causalMask(T),
  );
  const x2 = spec.residual ? tf.add(x1, attn.out) : attn.out; // [batch, pos, d_model]
  const logits = unembed(x2 as tf.Tensor3D, p['unembed.W_U'] as tf.Tensor2D, p['unembed.b_U'] as tf.Tensor1D);
  return { logits, patterns: [attn.pattern], convOut };
}
