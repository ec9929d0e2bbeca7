import * as tf from '@tensorflow/tfjs-core';
import { linear } from '../../layers/linear';
import { fullAttention, sameConv } from '../../layers/dilated-conv';
import type { Params } from '../../models/params';
import { uniform, type ParamDef } from '../init';
import type { SpecOf } from '../../../format/manifest';

/**
 * Seed 003's two regression nets on a real-valued signal (shapes task), as in its notebook:
 *
 *   conv net:       Conv(1->C,k) ReLU, Conv(C->C,k) ReLU, Conv(C->C,k) ReLU, Conv(C->C,k) ReLU, Conv(C->1,k)
 *   attention net:  Conv(1->C,k) ReLU, Conv(C->C,k) ReLU, SelfAttention(C), Conv(C->C,k) ReLU, Conv(C->1,k)
 *
 * 'same' padding throughout; the signal itself is the one input channel (an input projection, not an
 * embedding). SelfAttention: Q, K, V are bias-free 1x1 convs (= per-position matmuls), A = softmax(Q K^T)
 * over all positions with no 1/sqrt(d) scale and no residual, exactly as the seed wrote it.
 * spec: channels (64), kernel (5), self_attn.
 */

/** [c_in, c_out] of each conv layer, and the index after which the attention sits. */
export function shapesLayers(spec: SpecOf<'shapes-conv'>): { convs: [number, number][]; attnAfter: number } {
  const C = spec.channels ?? spec.d_model;
  const convs: [number, number][] = spec.self_attn
    ? [
        [1, C],
        [C, C],
        [C, C],
        [C, 1],
      ]
    : [
        [1, C],
        [C, C],
        [C, C],
        [C, C],
        [C, 1],
      ];
  return { convs, attnAfter: spec.self_attn ? 1 : -1 };
}

export function shapesParamDefs(spec: SpecOf<'shapes-conv'>): ParamDef[] {
  const k = spec.kernel ?? 5;
  const C = spec.channels ?? spec.d_model;
  const { convs, attnAfter } = shapesLayers(spec);
  const defs: ParamDef[] = [];
  convs.forEach(([cin, cout], l) => {
    const bound = 1 / Math.sqrt(cin * k); // nn.Conv1d default
    defs.push({ name: `blocks.${l}.conv.W`, shape: [k, cin, cout], init: uniform(bound) });
    defs.push({ name: `blocks.${l}.conv.b`, shape: [cout], init: uniform(bound) });
    if (l === attnAfter)
      for (const m of ['W_Q', 'W_K', 'W_V'])
        defs.push({ name: `blocks.${l}.attn.${m}`, shape: [C, C], init: uniform(1 / Math.sqrt(C)) });
  });
  return defs;
}

/** signal: float32 [batch, pos]; returns the prediction [batch, pos] in `logits` ([batch, pos, 1]). */
export function shapesForward(
  spec: SpecOf<'shapes-conv'>,
  p: Params,
  signal: tf.Tensor2D,
): { logits: tf.Tensor3D; patterns: tf.Tensor4D[] } {
  const [B, T] = signal.shape;
  const C = spec.channels ?? spec.d_model;
  const { convs, attnAfter } = shapesLayers(spec);
  let x = tf.reshape(tf.cast(signal, 'float32'), [B, T, 1]) as tf.Tensor3D; // [batch, pos, 1]
  const patterns: tf.Tensor4D[] = [];
  convs.forEach((_, l) => {
    x = sameConv(x, p[`blocks.${l}.conv.W`] as tf.Tensor3D, p[`blocks.${l}.conv.b`] as tf.Tensor1D, 1); // [batch, pos, c_out]
    if (l < convs.length - 1) x = tf.relu(x);
    if (l === attnAfter) {
      const flat = tf.reshape(x, [B * T, C]) as tf.Tensor2D; // [batch*pos, C]
      const proj = (m: string) =>
        tf.reshape(linear(flat, p[`blocks.${l}.attn.${m}`] as tf.Tensor2D), [B, 1, T, C]) as tf.Tensor4D; // [batch, head, pos, C]
      // fullAttention scales by 1/sqrt(d); the seed does not, so the query is pre-multiplied by sqrt(C).
      const att = fullAttention(tf.mul(proj('W_Q'), Math.sqrt(C)) as tf.Tensor4D, proj('W_K'), proj('W_V'));
      patterns.push(att.pattern);
      x = tf.reshape(att.out, [B, T, C]) as tf.Tensor3D; // [batch, pos, C] (no residual, no ReLU)
    }
  });
  return { logits: x, patterns }; // [batch, pos, 1]
}
