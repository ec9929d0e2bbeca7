import * as tf from '@tensorflow/tfjs-core';
import { embed } from '../../layers/embedding';
import { linear } from '../../layers/linear';
import { convStackConfig, convMult } from './spec';
import { fullAttention, layerNorm, sameConv } from '../../layers/dilated-conv';
import { reluResidual } from '../../layers/residual';
import type { ModelOutput } from '../architecture';
import type { Params } from '../../models/params';
import { normal, uniform, type ParamDef } from '../init';
import type { SpecOf } from '../../../format/manifest';
import type { Rng } from '../../random';

/**
 * The conv stack of seeds 000/001 (structure and our reading of the seeds in conv_stack_spec.ts): embedding,
 * L residual layers of dilated 'same' conv + ReLU, some of them attention layers whose conv emits the
 * queries and keys (and values), and an output head tied to the embedding.
 */
const constant = (v: number) => (_rng: Rng, n: number) => new Float32Array(n).fill(v);

export function convStackParamDefs(spec: SpecOf<'conv-stack'>): ParamDef[] {
  const c = convStackConfig(spec);
  const C = c.channels;
  // nn.Embedding draws N(0, 1); the head reuses it transposed.
  const defs: ParamDef[] = [{ name: 'embed.W_E', shape: [spec.vocab, C], init: normal(1) }];
  c.attn.forEach((a, l) => {
    if (c.norm === 'layer' && l < c.layers - 1) {
      defs.push({ name: `blocks.${l}.ln.w`, shape: [C], init: constant(1) });
      defs.push({ name: `blocks.${l}.ln.b`, shape: [C], init: constant(0) });
    }
    const out = convMult(a) * C;
    // nn.Conv1d: U(+-1/sqrt(fan_in)), fan_in = C * k, for weight and bias.
    const bound = 1 / Math.sqrt(C * c.kernel);
    defs.push({ name: `blocks.${l}.conv.W`, shape: [c.kernel, C, out], init: uniform(bound) });
    defs.push({ name: `blocks.${l}.conv.b`, shape: [out], init: uniform(bound) });
    if (typeof a === 'number' && a > 0) {
      // nn.MultiheadAttention: in_proj xavier_uniform over the stacked [3C, C] matrix, biases 0; out_proj
      // keeps nn.Linear's U(+-1/sqrt(C)) weight with a zero bias.
      const xavier = uniform(Math.sqrt(6 / (C + 3 * C)));
      for (const m of ['Q', 'K', 'V']) {
        defs.push({ name: `blocks.${l}.attn.W_${m}`, shape: [C, C], init: xavier });
        defs.push({ name: `blocks.${l}.attn.b_${m}`, shape: [C], init: constant(0) });
      }
      defs.push({ name: `blocks.${l}.attn.W_O`, shape: [C, C], init: uniform(1 / Math.sqrt(C)) });
      defs.push({ name: `blocks.${l}.attn.b_O`, shape: [C], init: constant(0) });
    }
  });
  return defs;
}

/** Split [batch, pos, C] into heads: [batch, head, pos, C/heads]. */
function heads(x: tf.Tensor3D, H: number): tf.Tensor4D {
  const [B, T, C] = x.shape;
  return tf.transpose(tf.reshape(x, [B, T, H, C / H]), [0, 2, 1, 3]); // [batch, head, pos, d_head]
}

export function convStackForward(spec: SpecOf<'conv-stack'>, p: Params, tokens: tf.Tensor2D): ModelOutput {
  const c = convStackConfig(spec);
  const [B, T] = tokens.shape;
  const C = c.channels;
  const W_E = p['embed.W_E'] as tf.Tensor2D;
  let x = embed(tokens, W_E); // [batch, pos, C]
  const patterns: tf.Tensor4D[] = [];
  c.attn.forEach((a, l) => {
    const ln = p[`blocks.${l}.ln.w`];
    const xin = ln ? layerNorm(x, ln as tf.Tensor1D, p[`blocks.${l}.ln.b`] as tf.Tensor1D) : x; // [batch, pos, C]
    const conv = sameConv(
      xin,
      p[`blocks.${l}.conv.W`] as tf.Tensor3D,
      p[`blocks.${l}.conv.b`] as tf.Tensor1D,
      c.dilation[l],
    ); // [batch, pos, m*C]
    let y: tf.Tensor3D;
    if (a === 0) {
      y = conv;
    } else {
      const part = (i: number) => tf.slice(conv, [0, 0, i * C], [B, T, C]) as tf.Tensor3D; // [batch, pos, C]
      let q: tf.Tensor3D = part(0);
      let k: tf.Tensor3D = part(1);
      // 'T': the values are the layer's (normalised) input itself; n heads: a third conv slice, projected.
      let v: tf.Tensor3D = a === 'T' ? xin : part(2);
      const H = a === 'T' ? 1 : a;
      if (a !== 'T') {
        const proj = (t: tf.Tensor3D, m: string) =>
          tf.reshape(
            tf.add(
              linear(tf.reshape(t, [B * T, C]) as tf.Tensor2D, p[`blocks.${l}.attn.W_${m}`] as tf.Tensor2D),
              p[`blocks.${l}.attn.b_${m}`],
            ),
            [B, T, C],
          ) as tf.Tensor3D; // [batch, pos, C]
        q = proj(q, 'Q');
        k = proj(k, 'K');
        v = proj(v, 'V');
      }
      const att = fullAttention(heads(q, H), heads(k, H), heads(v, H));
      patterns.push(att.pattern);
      y = tf.reshape(tf.transpose(att.out, [0, 2, 1, 3]), [B, T, C]) as tf.Tensor3D; // [batch, pos, C]: heads concatenated
      if (a !== 'T') {
        const o = linear(tf.reshape(y, [B * T, C]) as tf.Tensor2D, p[`blocks.${l}.attn.W_O`] as tf.Tensor2D);
        y = tf.reshape(tf.add(o, p[`blocks.${l}.attn.b_O`]), [B, T, C]) as tf.Tensor3D; // [batch, pos, C]
      }
    }
    // Residual around every layer: the stack only ever adds to the embedding, so information a layer does
    // not need passes on unchanged.
    x = reluResidual(y, x); // [batch, pos, C]
  });
  // Tied head: logits = x E^T (the transpose is materialised so the matmul stays on the fast path).
  const logits = linear(tf.reshape(x, [B * T, C]) as tf.Tensor2D, tf.transpose(W_E)); // [batch*pos, vocab]
  return { logits: tf.reshape(logits, [B, T, spec.vocab]) as tf.Tensor3D, patterns };
}
