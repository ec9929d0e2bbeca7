import * as tf from '@tensorflow/tfjs-core';
import { causalAttention, causalMask } from '../../layers/attention';
import { embed } from '../../layers/embedding';
import type { SpecOf } from '../../../format/manifest';
import type { Params } from '../../models/params';
import { unembed } from '../../layers/unembed';
import type { ModelOutput } from '../architecture';

/**
 * Attn-Attn (seed 002, model B): embedding -> attention -> attention -> head. No residual stream and no
 * positional encoding by default (as in the seed), so layer 0 can only find "the previous token" through the
 * content of the keys, which makes the classic previous-token + induction circuit hard to form.
 */
export function attnAttnForward(spec: SpecOf<'attn-attn'>, p: Params, tokens: tf.Tensor2D): ModelOutput {
  const mask = causalMask(tokens.shape[1]); // [query, key], shared by both layers
  let x = embed(tokens, p['embed.W_E'] as tf.Tensor2D, p['pos_embed.W_pos'] as tf.Tensor2D | undefined); // [batch, pos, d_model]
  const patterns: tf.Tensor4D[] = [];
  for (let l = 0; l < 2; l++) {
    const attn = causalAttention(
      x,
      p[`blocks.${l}.attn.W_Q`] as tf.Tensor2D,
      p[`blocks.${l}.attn.W_K`] as tf.Tensor2D,
      p[`blocks.${l}.attn.W_V`] as tf.Tensor2D,
      spec.n_heads,
      mask,
    );
    x = spec.residual ? tf.add(x, attn.out) : attn.out; // [batch, pos, d_model]
    patterns.push(attn.pattern);
  }
  const logits = unembed(x, p['unembed.W_U'] as tf.Tensor2D, p['unembed.b_U'] as tf.Tensor1D);
  return { logits, patterns };
}
