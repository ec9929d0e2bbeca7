import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../../format/errors';
import type { SpecOf } from '../../../format/manifest';
import { BYTE_VOCAB } from '../../../format/text';
import { embed } from '../../layers/embedding';
import { linear } from '../../layers/linear';
import type { Params } from '../../models/params';
import type { ModelOutput } from '../architecture';
import { normal, uniform, type ParamDef } from '../init';
import { hiddenPattern, type HiddenInputs } from './hidden';
import { selectiveScan } from './scan';

/**
 * Seed 001's Mamba baseline ("MAMBA d_model=32 d_state=16", 6 layers, 67,936 parameters), after
 * johnma2006/mamba-minimal, the "slow version" the seed names:
 *
 *   x = E[tokens]                                         embedding E [V, D]
 *   L times: x = x + MambaBlock(RMSNorm(x))               residual blocks
 *   logits = RMSNorm_f(x) E^T                             head tied to the embedding
 *
 *   MambaBlock(x):  [u, res] = x W_in                     in_proj, no bias: D -> 2 E (E = expand D)
 *                   u = silu(causal depthwise conv(u))    conv1d, kernel d_conv, groups E, bias
 *                   [dt, B, C] = u W_x                    x_proj, no bias: E -> R + 2N (R = ceil(D / 16))
 *                   delta = softplus(dt W_dt + b_dt)      dt_proj: R -> E, bias
 *                   h_t = exp(delta_t A) h_{t-1} + delta_t B_t u_t   A = -exp(A_log) [E, N], per channel
 *                   y_t = C_t . h_t + D u_t               the selective scan
 *                   out = (y * silu(res)) W_out           out_proj, no bias: E -> D
 *
 * Closed form of the parameter count (mambaParams): V D + D + L (2 E D + E d_conv + E + (R + 2N) E + R E + E
 * + E N + E + E D + D): embedding, norm_f, and per layer in_proj, conv weight + bias, x_proj, dt_proj weight +
 * bias, A_log, D, out_proj, norm. With V 256, D 32, N 16, L 6 (E 64, R 2): 8,192 + 32 + 6 x 9,952 = 67,936,
 * the seed's count, which pins the tied head (an untied one would add 8,192) and the final RMSNorm.
 *
 * Parameters carry mamba-minimal's state_dict names (layers.{l}.mixer.in_proj.weight [2E, D], ...; the
 * embedding keeps this project's embed.W_E) and its PyTorch default initialisation: U(+-1/sqrt(fan_in)) for
 * the Linear and Conv1d weights and biases, A_log = log(1..N) in every row, D = 1, RMSNorm weights 1.
 *
 * Only the recurrence itself is sequential: scan.ts runs it as one op with plain loops and a hand-written
 * gradient (the same recurrence backwards). Everything else (projections, conv, exp(delta A), delta B u, the
 * readout C . h) is tf ops over all positions at once, differentiated by tfjs.
 */
export interface MambaConfig {
  layers: number;
  dModel: number;
  dState: number;
  seqLen: number;
  vocab?: number;
}

/** mamba-minimal's defaults, which the seed row used. */
export const MAMBA_EXPAND = 2;
export const MAMBA_D_CONV = 4;
const RMS_EPS = 1e-5;

/** dt_rank = ceil(d_model / 16), mamba-minimal's 'auto'. */
export const dtRank = (dModel: number) => Math.ceil(dModel / 16);

export function mambaParams(c: MambaConfig): number {
  const [V, D, N, L] = [c.vocab ?? BYTE_VOCAB, c.dModel, c.dState, c.layers];
  const E = MAMBA_EXPAND * D;
  const R = dtRank(D);
  const K = MAMBA_D_CONV;
  const perLayer = 2 * E * D + (E * K + E) + (R + 2 * N) * E + (R * E + E) + E * N + E + E * D + D;
  return V * D + D + L * perLayer;
}

export function mambaSpec(c: MambaConfig): SpecOf<'mamba'> {
  for (const [flag, v] of [
    ['--layers', c.layers],
    ['--d-model', c.dModel],
    ['--d-state', c.dState],
  ] as const)
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`${flag} must be >= 1, got ${v}`);
  return {
    kind: 'mamba',
    vocab: c.vocab ?? BYTE_VOCAB,
    d_model: c.dModel,
    n_heads: 1,
    residual: true,
    pos_embed: false,
    max_seq: c.seqLen,
    layers: c.layers,
    d_state: c.dState,
    expand: MAMBA_EXPAND,
    d_conv: MAMBA_D_CONV,
  };
}

/** Shapes of one model: D, E (inner width), N (states), R (dt rank), K (conv width). */
export function dims(spec: SpecOf<'mamba'>) {
  const D = spec.d_model;
  return { D, E: spec.expand * D, N: spec.d_state, R: dtRank(D), K: spec.d_conv };
}

const ones = (_rng: unknown, n: number) => new Float32Array(n).fill(1);

export function mambaParamDefs(spec: SpecOf<'mamba'>): ParamDef[] {
  const { D, E, N, R, K } = dims(spec);
  const defs: ParamDef[] = [{ name: 'embed.W_E', shape: [spec.vocab, D], init: normal(1) }];
  for (let l = 0; l < spec.layers; l++) {
    const m = `layers.${l}.mixer`;
    defs.push(
      { name: `${m}.in_proj.weight`, shape: [2 * E, D], init: uniform(1 / Math.sqrt(D)) },
      // A depthwise Conv1d has fan_in = (in_channels / groups) * kernel = K.
      { name: `${m}.conv1d.weight`, shape: [E, 1, K], init: uniform(1 / Math.sqrt(K)) },
      { name: `${m}.conv1d.bias`, shape: [E], init: uniform(1 / Math.sqrt(K)) },
      { name: `${m}.x_proj.weight`, shape: [R + 2 * N, E], init: uniform(1 / Math.sqrt(E)) },
      { name: `${m}.dt_proj.weight`, shape: [E, R], init: uniform(1 / Math.sqrt(R)) },
      { name: `${m}.dt_proj.bias`, shape: [E], init: uniform(1 / Math.sqrt(R)) },
      // S4D-real: A = -(1, 2, ..., N) in every channel, stored as its log.
      {
        name: `${m}.A_log`,
        shape: [E, N],
        init: (_r, n) => Float32Array.from({ length: n }, (_, i) => Math.log((i % N) + 1)),
      },
      { name: `${m}.D`, shape: [E], init: ones },
      { name: `${m}.out_proj.weight`, shape: [D, E], init: uniform(1 / Math.sqrt(E)) },
      { name: `layers.${l}.norm.weight`, shape: [D], init: ones },
    );
  }
  defs.push({ name: 'norm_f.weight', shape: [D], init: ones });
  return defs;
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * w. */
export function rmsNorm(x: tf.Tensor3D, w: tf.Tensor): tf.Tensor3D {
  const ms = tf.mean(tf.square(x), -1, true); // [batch, pos, 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, RMS_EPS))), w) as tf.Tensor3D;
}

/** A PyTorch Linear weight [out, in] as the [in, out] matrix that linear() multiplies by. */
const weightT = (p: Params, name: string) => tf.transpose(p[name]) as tf.Tensor2D; // [in, out]

const silu = (x: tf.Tensor) => tf.mul(x, tf.sigmoid(x));

/** Depthwise causal conv1d over positions: out_t = b + sum_k w[:, 0, k] x_{t-K+1+k} (zeros before 0). */
function causalConv(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor, K: number): tf.Tensor3D {
  const [B, T, E] = x.shape;
  const padded = tf.pad(x, [
    [0, 0],
    [K - 1, 0],
    [0, 0],
  ]); // [batch, K-1+pos, E]
  const taps = tf.transpose(tf.reshape(w, [E, K])); // [K, E]: tap k of every channel
  let out: tf.Tensor = b;
  for (let k = 0; k < K; k++) {
    const tap = tf.reshape(tf.slice(taps, [k, 0], [1, E]), [E]); // [E]
    out = tf.add(out, tf.mul(tf.slice(padded, [0, k, 0], [B, T, E]), tap)); // [batch, pos, E]
  }
  return out as tf.Tensor3D;
}

/** The discretised inputs of the scan: dA = exp(delta A), dBu = delta B u, each [batch, pos, E, N]. */
export interface ScanInputs {
  dA: tf.Tensor4D;
  dBu: tf.Tensor4D;
  C: tf.Tensor4D; // [batch, pos, 1, N]
  u: tf.Tensor3D; // [batch, pos, E]
  /** What the implicit attention matrices are made of (hidden.ts). */
  hidden: HiddenInputs;
}

/** The input-dependent part of one block up to the scan: conv, x_proj, dt_proj and the discretisation. */
export function scanInputs(
  spec: SpecOf<'mamba'>,
  p: Params,
  l: number,
  x: tf.Tensor3D,
): ScanInputs & { res: tf.Tensor2D } {
  const { E, N, R, K } = dims(spec);
  const [B, T, D] = x.shape;
  const m = `layers.${l}.mixer`;
  const xr = linear(tf.reshape(x, [B * T, D]) as tf.Tensor2D, weightT(p, `${m}.in_proj.weight`)); // [batch*pos, 2E]
  const uIn = tf.reshape(tf.slice(xr, [0, 0], [B * T, E]), [B, T, E]) as tf.Tensor3D; // [batch, pos, E]
  const res = tf.slice(xr, [0, E], [B * T, E]) as tf.Tensor2D; // [batch*pos, E]
  const u = silu(causalConv(uIn, p[`${m}.conv1d.weight`], p[`${m}.conv1d.bias`], K)) as tf.Tensor3D;
  const xdbl = linear(tf.reshape(u, [B * T, E]) as tf.Tensor2D, weightT(p, `${m}.x_proj.weight`)); // [batch*pos, R+2N]
  const dtIn = tf.slice(xdbl, [0, 0], [B * T, R]) as tf.Tensor2D; // [batch*pos, R]
  const Bm = tf.reshape(tf.slice(xdbl, [0, R], [B * T, N]), [B, T, 1, N]); // [batch, pos, 1, N]
  const C = tf.reshape(tf.slice(xdbl, [0, R + N], [B * T, N]), [B, T, 1, N]) as tf.Tensor4D; // [batch, pos, 1, N]
  const dtLin = linear(dtIn, weightT(p, `${m}.dt_proj.weight`)); // [batch*pos, E]
  const delta = tf.reshape(tf.softplus(tf.add(dtLin, p[`${m}.dt_proj.bias`])), [B, T, E, 1]); // [batch, pos, E, 1]
  const A = tf.neg(tf.exp(p[`${m}.A_log`])) as tf.Tensor2D; // [E, N]
  const dA = tf.exp(tf.mul(delta, A)) as tf.Tensor4D; // [batch, pos, E, N]
  const dBu = tf.mul(tf.mul(delta, Bm), tf.reshape(u, [B, T, E, 1])) as tf.Tensor4D; // [batch, pos, E, N]
  return { dA, dBu, C, u, res, hidden: { delta: delta as tf.Tensor4D, A, B: Bm as tf.Tensor4D, C } };
}

function mambaBlock(
  spec: SpecOf<'mamba'>,
  p: Params,
  l: number,
  x: tf.Tensor3D,
): { out: tf.Tensor3D; hidden: HiddenInputs } {
  const { E } = dims(spec);
  const [B, T, D] = x.shape;
  const m = `layers.${l}.mixer`;
  const { dA, dBu, C, u, res, hidden } = scanInputs(spec, p, l, x);
  const h = selectiveScan(dA, dBu); // [batch, pos, E, N]
  const yScan = tf.sum(tf.mul(h, C), -1); // [batch, pos, E]: C_t . h_t
  const y = tf.add(yScan, tf.mul(u, p[`${m}.D`])); // [batch, pos, E]
  const gated = tf.mul(tf.reshape(y, [B * T, E]), silu(res)) as tf.Tensor2D; // [batch*pos, E]
  const out = linear(gated, weightT(p, `${m}.out_proj.weight`)); // [batch*pos, D]
  return { out: tf.reshape(out, [B, T, D]) as tf.Tensor3D, hidden }; // out: [batch, pos, D]
}

export function mambaForward(spec: SpecOf<'mamba'>, p: Params, tokens: tf.Tensor2D): ModelOutput {
  const [B, T] = tokens.shape;
  const D = spec.d_model;
  const W_E = p['embed.W_E'] as tf.Tensor2D;
  let x = embed(tokens, W_E); // [batch, pos, D]
  const hidden: HiddenInputs[] = [];
  for (let l = 0; l < spec.layers; l++) {
    const block = mambaBlock(spec, p, l, rmsNorm(x, p[`layers.${l}.norm.weight`]));
    x = tf.add(x, block.out) as tf.Tensor3D;
    hidden.push(block.hidden);
  }
  const xf = rmsNorm(x, p['norm_f.weight']);
  // Tied head: logits = x E^T.
  const logits = linear(tf.reshape(xf, [B * T, D]) as tf.Tensor2D, tf.transpose(W_E)); // [batch*pos, vocab]
  return {
    logits: tf.reshape(logits, [B, T, spec.vocab]) as tf.Tensor3D,
    // Computed when read (inside the caller's tidy, while their inputs live): a [batch, T, T, E, N] tensor
    // per layer that training, which reads only the logits, must not pay for.
    get patterns() {
      return hidden.map(hiddenPattern);
    },
  };
}
