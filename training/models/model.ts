import type * as tf from '@tensorflow/tfjs-core';
import { architecture, type ModelOutput } from '../arch';
import type { Params } from './params';
import type { ArchSpec } from './spec';

export type { ModelOutput };

/** Layer index of each pattern (its `blocks.{l}` name); patterns[i] is layer i unless a model says otherwise. */
export function patternLayers(spec: ArchSpec): number[] {
  return architecture(spec).patternLayers(spec);
}

/** Run the model named by `spec` on int32 token ids [batch, pos] (shapes-conv: a float signal). Call inside tf.tidy. */
export function forward(spec: ArchSpec, params: Params, tokens: tf.Tensor2D): ModelOutput {
  return architecture(spec).forward(spec, params, tokens);
}
