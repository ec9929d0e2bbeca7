import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random';
import { architecture } from '../arch';
import type { ParamDef } from '../arch/init';
import type { ArchSpec } from './spec';

export type { ParamDef };

/** The parameters of the model `spec` describes (training/arch/KIND), in the order they are drawn. */
export function paramDefs(spec: ArchSpec): ParamDef[] {
  return architecture(spec).paramDefs(spec);
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
