import * as tf from '@tensorflow/tfjs-core';
import { embed } from '../../layers/embedding';
import { linear } from '../../layers/linear';
import type { Params } from '../../models/params';
import { normal, uniform, type ParamDef } from '../init';
import type { SpecOf } from '../../../format/manifest';

/**
 * Seed 004's counting model: learned output queries attend over the embedded input (encoder-decoder attention,
 * output step x input step), the decoding is the query plus what it gathered, optionally followed by
 * self-attention over the output steps (the seed's `--self_att`: query = key = value = decoding, no
 * projections), then a linear head to count classes 0..max_seq at every output step.
 *
 * spec: d_model (hidden, 64 in the seed), out_steps (letters + 1: the counts and the difference), max_seq (the
 * input length, which bounds the counts), self_attn. Input: byte tokens (letters and spaces).
 */

/**
 * Attention with as many queries as it likes (here: output steps) over any number of keys, plain tf ops:
 * q [batch, head, query, d], k, v [batch, head, key, d]; pattern [batch, head, query, key].
 */
function crossAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
): { pattern: tf.Tensor4D; out: tf.Tensor4D } {
  const scores = tf.mul(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(q.shape[3])); // [batch, head, query, key]
  const pattern = tf.softmax(scores) as tf.Tensor4D;
  return { pattern, out: tf.matMul(pattern, v) as tf.Tensor4D }; // out: [batch, head, query, d]
}

export const countClasses = (spec: SpecOf<'counting'>) => spec.max_seq + 1;

export function countingParamDefs(spec: SpecOf<'counting'>): ParamDef[] {
  const D = spec.d_model;
  const S = spec.out_steps!;
  const K = countClasses(spec);
  const xavier = normal(Math.sqrt(1 / D));
  return [
    { name: 'embed.W_E', shape: [spec.vocab, D], init: normal(1) },
    { name: 'queries.W_q', shape: [S, D], init: normal(1) },
    { name: 'blocks.0.attn.W_K', shape: [D, D], init: xavier },
    { name: 'blocks.0.attn.W_V', shape: [D, D], init: xavier },
    { name: 'unembed.W_U', shape: [D, K], init: uniform(1 / Math.sqrt(D)) },
    { name: 'unembed.b_U', shape: [K], init: uniform(1 / Math.sqrt(D)) },
  ];
}

export function countingForward(
  spec: SpecOf<'counting'>,
  p: Params,
  tokens: tf.Tensor2D,
): { logits: tf.Tensor3D; patterns: tf.Tensor4D[] } {
  const [B, T] = tokens.shape;
  const D = spec.d_model;
  const S = spec.out_steps!;
  const x = tf.reshape(embed(tokens, p['embed.W_E'] as tf.Tensor2D), [B * T, D]) as tf.Tensor2D; // [batch*pos, D]
  const keys = tf.reshape(linear(x, p['blocks.0.attn.W_K'] as tf.Tensor2D), [B, 1, T, D]) as tf.Tensor4D; // [batch, head, key, D]
  const values = tf.reshape(linear(x, p['blocks.0.attn.W_V'] as tf.Tensor2D), [B, 1, T, D]) as tf.Tensor4D; // [batch, head, key, D]
  const Q = p['queries.W_q'] as tf.Tensor2D; // [out_steps, D]
  const q = tf.broadcastTo(tf.reshape(Q, [1, 1, S, D]), [B, 1, S, D]) as tf.Tensor4D; // [batch, head, query, D]
  const cross = crossAttention(q, keys, values); // pattern [batch, 1, out_steps, pos]: non-square
  let dec = tf.add(cross.out, q) as tf.Tensor4D; // [batch, 1, out_steps, D]: the query plus what it gathered
  const patterns = [cross.pattern];
  if (spec.self_attn) {
    const self = crossAttention(dec, dec, dec); // pattern [batch, 1, out_steps, out_steps]
    patterns.push(self.pattern);
    dec = self.out;
  }
  const flat = tf.reshape(dec, [B * S, D]) as tf.Tensor2D; // [batch*out_steps, D]
  const logits = tf.add(linear(flat, p['unembed.W_U'] as tf.Tensor2D), p['unembed.b_U']); // [batch*out_steps, classes]
  return { logits: tf.reshape(logits, [B, S, countClasses(spec)]) as tf.Tensor3D, patterns };
}
