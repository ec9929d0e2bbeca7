import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { convStackParamDefs } from './conv_stack';
import { shapesParamDefs } from './shapes_conv';
import { countingParamDefs } from './counting';
import { lstmParamDefs } from './lstm';
import { attentionLayers, type ArchSpec } from './spec';

/**
 * Parameter names, shapes and PyTorch-default initialisation. Names follow TransformerLens (embed.W_E,
 * blocks.0.attn.W_Q, unembed.W_U); matrices are stored [in, out] so the forward pass is `x @ W` with no
 * transposes. The conv weight is stored tap-major [3, in, out]: tap 0 reads position t-1, tap 1 position t,
 * tap 2 position t+1 (masked: it exists, as in PyTorch, but never reaches the output).
 */
export interface ParamDef {
  name: string;
  shape: number[];
  /** Draw the initial values (in the order of `shape`, row-major). */
  init: (rng: Rng, size: number) => Float32Array;
}

const normal = (std: number) => (rng: Rng, n: number) =>
  Float32Array.from({ length: n }, () => std * rng.normal());
const uniform = (bound: number) => (rng: Rng, n: number) =>
  Float32Array.from({ length: n }, () => rng.uniform(-bound, bound));

export function paramDefs(spec: ArchSpec): ParamDef[] {
  if (spec.kind === 'conv-stack') return convStackParamDefs(spec);
  if (spec.kind === 'shapes-conv') return shapesParamDefs(spec);
  if (spec.kind === 'counting') return countingParamDefs(spec);
  if (spec.kind === 'lstm') return lstmParamDefs(spec);
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

export type Params = Record<string, tf.Variable>;

/** Create the variables, drawing every initial value from `rng` in definition order (reproducible by seed). */
export function initParams(spec: ArchSpec, rng: Rng): Params {
  const params: Params = {};
  for (const def of paramDefs(spec)) {
    const size = def.shape.reduce((a, b) => a * b, 1);
    // tidy frees the initial-value tensor; the variable (its own copy) survives, as variables always do.
    params[def.name] = tf.tidy(() =>
      tf.variable(tf.tensor(def.init(rng, size), def.shape), true, uniqueName(def.name)),
    );
  }
  return params;
}

/** Variables from saved values (resume, tests). */
export function paramsFromValues(spec: ArchSpec, values: Record<string, Float32Array>): Params {
  const params: Params = {};
  for (const def of paramDefs(spec)) {
    const v = values[def.name];
    if (!v) throw new Error(`saved weights lack ${def.name}`);
    params[def.name] = tf.tidy(() => tf.variable(tf.tensor(v, def.shape), true, uniqueName(def.name)));
  }
  return params;
}

// tfjs variable names are global to the engine; two models in one process (tests) need distinct names.
let counter = 0;
function uniqueName(name: string): string {
  return `${name}#${counter++}`;
}

export function paramCount(spec: ArchSpec): number {
  return paramDefs(spec).reduce((n, d) => n + d.shape.reduce((a, b) => a * b, 1), 0);
}

export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

/** Current values, copied out of the backend. */
export async function paramValues(params: Params): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(params)) out[name] = (await v.data()) as Float32Array;
  return out;
}
