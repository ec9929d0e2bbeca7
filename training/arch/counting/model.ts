import * as tf from '@tensorflow/tfjs-core';
import { embed } from '../../layers/embedding';
import { layerNorm } from '../../layers/dilated-conv';
import { linear } from '../../layers/linear';
import type { Params } from '../../models/params';
import { constant, glorotUniform, type ParamDef } from '../init';
import type { SpecOf } from '../../../format/manifest';

/**
 * Seed 004's counting model (greentfrapp/attention-primer, 2_difference), layer for layer:
 *
 *   kv   = Dense(one-hot input)                      keys and values are this one tensor (`key_val`)
 *   dec  = LN(softmax(Q kv^T / sqrt(d)) kv + Q)      Q: learned output queries [out_steps, d], zero at init
 *   dec  = LN(softmax(dec dec^T / sqrt(d)) dec + dec)    only with self_attn (the seed's `--self_att`)
 *   logits = Dense(dec)                              count classes 0..max_seq at every output step
 *
 * Our input is bytes, so the Dense on the one-hot is an embedding row (`embed.W_E`) plus the Dense's bias, a
 * row shared by every position (`embed.b_E`). Each attention adds its query back (residual) and normalises
 * over d_model with TensorFlow's layer_norm (gain and bias, eps 1e-12). With these the counts come out as the
 * seed's model counts (docs/reproduction.md, Seed 004): the pre-#19 model (separate bias-free W_K / W_V, no
 * LayerNorm, no residual around the self attention, queries drawn N(0, 1)) had 45% of the steps wrong where
 * this one has 11% after the same 1,000 steps.
 *
 * spec: d_model (hidden, 64 in the seed), out_steps (letters + 1: the counts and the difference), max_seq (the
 * input length, which bounds the counts), self_attn.
 */

/** tf.contrib.layers.layer_norm's variance epsilon (TensorFlow 1, float32). */
export const COUNTING_LN_EPS = 1e-12;

export const countClasses = (spec: SpecOf<'counting'>) => spec.max_seq + 1;

/**
 * Names a saved state of the previous layout holds and this one does not, so `--resume` can refuse it with
 * a one-line reason instead of failing on a missing weight.
 */
export const PRE_19_COUNTING = {
  marker: 'blocks.0.attn.W_K',
  layout:
    'the pre-#19 counting layout (separate W_K and W_V without bias, no LayerNorm, self-attention without residual)',
};

export function countingParamDefs(spec: SpecOf<'counting'>): ParamDef[] {
  const D = spec.d_model;
  const S = spec.out_steps!;
  const K = countClasses(spec);
  const lnDefs = (l: number): ParamDef[] => [
    { name: `blocks.${l}.ln.w`, shape: [D], init: constant(1) },
    { name: `blocks.${l}.ln.b`, shape: [D], init: constant(0) },
  ];
  return [
    // The seed's Dense reads a one-hot over out_steps symbols (blank and the letters): its fan-in is S.
    { name: 'embed.W_E', shape: [spec.vocab, D], init: glorotUniform(S, D) },
    { name: 'embed.b_E', shape: [D], init: constant(0) },
    { name: 'queries.W_q', shape: [S, D], init: constant(0) },
    ...lnDefs(0),
    ...(spec.self_attn ? lnDefs(1) : []),
    { name: 'unembed.W_U', shape: [D, K], init: glorotUniform(D, K) },
    { name: 'unembed.b_U', shape: [K], init: constant(0) },
  ];
}

/**
 * softmax(q k^T / sqrt(d)) v for q [batch, query, d], k = v [batch, key, d], then the residual and the
 * LayerNorm: the seed's `attention(query, key, value)`. pattern [batch, query, key].
 */
function attention(
  q: tf.Tensor3D,
  kv: tf.Tensor3D,
  lnW: tf.Tensor1D,
  lnB: tf.Tensor1D,
): { pattern: tf.Tensor3D; out: tf.Tensor3D } {
  const scores = tf.mul(tf.matMul(q, kv, false, true), 1 / Math.sqrt(q.shape[2])); // [batch, query, key]
  const pattern = tf.softmax(scores) as tf.Tensor3D;
  const gathered = tf.matMul(pattern, kv); // [batch, query, d]
  return { pattern, out: layerNorm(tf.add(gathered, q), lnW, lnB, COUNTING_LN_EPS) };
}

export function countingForward(
  spec: SpecOf<'counting'>,
  p: Params,
  tokens: tf.Tensor2D,
): { logits: tf.Tensor3D; patterns: tf.Tensor4D[] } {
  const [B, T] = tokens.shape;
  const D = spec.d_model;
  const S = spec.out_steps!;
  const kv = tf.add(embed(tokens, p['embed.W_E'] as tf.Tensor2D), p['embed.b_E']) as tf.Tensor3D; // [batch, pos, D]
  const Q = p['queries.W_q'] as tf.Tensor2D; // [out_steps, D]
  const q = tf.broadcastTo(tf.reshape(Q, [1, S, D]), [B, S, D]) as tf.Tensor3D; // [batch, out_steps, D]
  const ln = (l: number) => [p[`blocks.${l}.ln.w`], p[`blocks.${l}.ln.b`]] as [tf.Tensor1D, tf.Tensor1D];
  const cross = attention(q, kv, ...ln(0)); // pattern [batch, out_steps, pos]: non-square
  let dec = cross.out; // [batch, out_steps, D]
  const patterns = [tf.reshape(cross.pattern, [B, 1, S, T]) as tf.Tensor4D]; // [batch, head, out_steps, pos]
  if (spec.self_attn) {
    const self = attention(dec, dec, ...ln(1)); // pattern [batch, out_steps, out_steps]
    patterns.push(tf.reshape(self.pattern, [B, 1, S, S]) as tf.Tensor4D); // [batch, head, out_steps, out_steps]
    dec = self.out;
  }
  const flat = tf.reshape(dec, [B * S, D]) as tf.Tensor2D; // [batch*out_steps, D]
  const logits = tf.add(linear(flat, p['unembed.W_U'] as tf.Tensor2D), p['unembed.b_U']); // [batch*out_steps, classes]
  return { logits: tf.reshape(logits, [B, S, countClasses(spec)]) as tf.Tensor3D, patterns }; // [batch, out_steps, classes]
}
