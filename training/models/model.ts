import type * as tf from '@tensorflow/tfjs-core';
import { attnAttnForward } from './attn_attn';
import { convAttnForward } from './conv_attn';
import { convStackForward } from './conv_stack';
import { shapesForward } from './shapes_conv';
import { countingForward } from './counting';
import { lstmForward } from './lstm';
import type { Params } from './params';
import type { ArchSpec } from './spec';

/** What one forward pass returns; tensor names mirror the ONNX graph outputs. */
export interface ModelOutput {
  logits: tf.Tensor3D; // [batch, pos, vocab]
  patterns: tf.Tensor4D[]; // blocks.{l}.attn.hook_pattern: [batch, head, query, key]
  convOut?: tf.Tensor3D; // blocks.0.hook_conv_out: [batch, pos, d_model]
}

/** Layer index of each pattern (its `blocks.{l}` name); patterns[i] is layer i unless a model says otherwise. */
export function patternLayers(spec: ArchSpec): number[] {
  if (spec.kind === 'conv-stack') return (spec.attn ?? []).flatMap((a, l) => (a === 0 ? [] : [l]));
  if (spec.kind === 'lstm') return [];
  if (spec.kind === 'shapes-conv') return spec.self_attn ? [1] : [];
  if (spec.kind === 'counting') return spec.self_attn ? [0, 1] : [0];
  return spec.kind === 'attn-attn' ? [0, 1] : [0];
}

/** Run the model named by `spec` on int32 token ids [batch, pos]. Call inside tf.tidy. */
export function forward(spec: ArchSpec, params: Params, tokens: tf.Tensor2D): ModelOutput {
  if (spec.kind === 'conv-stack') return convStackForward(spec, params, tokens);
  // shapes-conv reads a float signal [batch, pos] in place of token ids; logits = the prediction [batch, pos, 1].
  if (spec.kind === 'shapes-conv') return shapesForward(spec, params, tokens);
  if (spec.kind === 'counting') return countingForward(spec, params, tokens);
  if (spec.kind === 'lstm') return lstmForward(spec, params, tokens);
  return spec.kind === 'conv-attn'
    ? convAttnForward(spec, params, tokens)
    : attnAttnForward(spec, params, tokens);
}
