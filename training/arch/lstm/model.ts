import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../../format/errors';
import { BYTE_VOCAB } from '../../../format/text';
import { embed } from '../../layers/embedding';
import { linear } from '../../layers/linear';
import type { ModelOutput } from '../architecture';
import type { Params } from '../../models/params';
import { normal, uniform, type ParamDef } from '../init';
import type { SpecOf } from '../../../format/manifest';

/**
 * The LSTM baseline of seed 001 ("LSTM hidden_size=64", 6 layers, 216,064 parameters, PyTorch nn.LSTM):
 *
 *   embedding E [256, H]
 *   L stacked unidirectional LSTM layers, input size H, hidden size H (PyTorch nn.LSTM(H, H, L), gates i, f, g, o)
 *   logits = h E^T                              (output head tied to the embedding, as the seed's conv stack)
 *
 * The parameter count pins this down: nn.LSTM has 4H(in + H) + 8H parameters per layer (W_ih, W_hh and the two
 * bias vectors b_ih, b_hh); with in = H = 64 that is 33,280, six layers 199,680, and 216,064 - 199,680 = 16,384
 * = 256 x 64: exactly one [256, 64] matrix, the tied embedding/head. An untied Linear head (+16,640) or a
 * bidirectional stack (+10 x 16,384 + 199,680 for the second direction) would not fit.
 *
 * Parameters carry PyTorch's state_dict names and layouts (lstm.weight_ih_l{k} [4H, in], gate rows i, f, g, o)
 * and PyTorch's init, U(+-1/sqrt(H)) for every LSTM weight and bias; the embedding draws N(0, 1).
 *
 * The recurrence uses only ops whose gradients the tfjs wasm backend has: matmuls (linear), unstack, slices,
 * sigmoid, tanh, elementwise mul/add and stack.
 */
export interface LstmConfig {
  layers: number;
  hidden: number;
  seqLen: number;
  vocab?: number;
}

export function validateLstm(c: LstmConfig): void {
  if (!Number.isInteger(c.layers) || c.layers < 1)
    throw new UsageError(`--layers must be >= 1, got ${c.layers}`);
  if (!Number.isInteger(c.hidden) || c.hidden < 1)
    throw new UsageError(`--hidden must be >= 1, got ${c.hidden}`);
}

/** Closed form: V H (tied embedding/head) + L (4H(H + H) + 8H). Seed 001: 6 layers, H 64 -> 216,064. */
export function lstmParams(c: LstmConfig): number {
  const H = c.hidden;
  const V = c.vocab ?? BYTE_VOCAB;
  return V * H + c.layers * (4 * H * (H + H) + 8 * H);
}

export function lstmSpec(c: LstmConfig): SpecOf<'lstm'> {
  validateLstm(c);
  return {
    kind: 'lstm',
    vocab: c.vocab ?? BYTE_VOCAB,
    d_model: c.hidden,
    n_heads: 1,
    residual: false,
    pos_embed: false,
    max_seq: c.seqLen,
    layers: c.layers,
    channels: c.hidden,
  };
}

export function lstmParamDefs(spec: SpecOf<'lstm'>): ParamDef[] {
  const H = spec.d_model;
  const u = uniform(1 / Math.sqrt(H));
  const defs: ParamDef[] = [{ name: 'embed.W_E', shape: [spec.vocab, H], init: normal(1) }];
  for (let l = 0; l < spec.layers!; l++) {
    defs.push({ name: `lstm.weight_ih_l${l}`, shape: [4 * H, H], init: u });
    defs.push({ name: `lstm.weight_hh_l${l}`, shape: [4 * H, H], init: u });
    defs.push({ name: `lstm.bias_ih_l${l}`, shape: [4 * H], init: u });
    defs.push({ name: `lstm.bias_hh_l${l}`, shape: [4 * H], init: u });
  }
  return defs;
}

/** One LSTM layer over x [batch, pos, in] from zero state; returns h for every position [batch, pos, H]. */
function lstmLayer(x: tf.Tensor3D, p: Params, l: number, H: number): tf.Tensor3D {
  const [B, T, I] = x.shape;
  const Wih = tf.transpose(p[`lstm.weight_ih_l${l}`]) as tf.Tensor2D; // [in, 4H]
  const Whh = tf.transpose(p[`lstm.weight_hh_l${l}`]) as tf.Tensor2D; // [H, 4H]
  const bias = tf.add(p[`lstm.bias_ih_l${l}`], p[`lstm.bias_hh_l${l}`]); // [4H]
  // The input projection of every position at once; only h @ W_hh is left inside the loop.
  const xin = linear(tf.reshape(x, [B * T, I]) as tf.Tensor2D, Wih); // [batch*pos, 4H]
  const xw = tf.reshape(tf.add(xin, bias), [B, T, 4 * H]) as tf.Tensor3D; // [batch, pos, 4H]
  const steps = tf.unstack(xw, 1) as tf.Tensor2D[]; // pos x [batch, 4H]
  let h: tf.Tensor2D = tf.zeros([B, H]);
  let c: tf.Tensor2D = tf.zeros([B, H]);
  const hs: tf.Tensor2D[] = [];
  for (const s of steps) {
    const gates = tf.add(s, linear(h, Whh)) as tf.Tensor2D; // [batch, 4H], PyTorch order i, f, g, o
    const gate = (k: number) => tf.slice(gates, [0, k * H], [B, H]) as tf.Tensor2D; // [batch, H]
    const i = tf.sigmoid(gate(0));
    const f = tf.sigmoid(gate(1));
    const g = tf.tanh(gate(2));
    const o = tf.sigmoid(gate(3));
    c = tf.add(tf.mul(f, c), tf.mul(i, g)) as tf.Tensor2D;
    h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D;
    hs.push(h);
  }
  return tf.stack(hs, 1) as tf.Tensor3D; // [batch, pos, H]
}

export function lstmForward(spec: SpecOf<'lstm'>, p: Params, tokens: tf.Tensor2D): ModelOutput {
  const [B, T] = tokens.shape;
  const H = spec.d_model;
  const W_E = p['embed.W_E'] as tf.Tensor2D;
  let x = embed(tokens, W_E); // [batch, pos, H]
  for (let l = 0; l < spec.layers!; l++) x = lstmLayer(x, p, l, H);
  // Tied head: logits = h E^T.
  const logits = linear(tf.reshape(x, [B * T, H]) as tf.Tensor2D, tf.transpose(W_E)); // [batch*pos, vocab]
  return { logits: tf.reshape(logits, [B, T, spec.vocab]) as tf.Tensor3D, patterns: [] };
}
