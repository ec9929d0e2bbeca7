import type * as tf from '@tensorflow/tfjs-core';
import { attnAttnForward } from './attn_attn';
import { convAttnForward } from './conv_attn';
import type { Params } from './params';
import type { ArchSpec } from './spec';

/** What one forward pass returns; tensor names mirror the ONNX graph outputs. */
export interface ModelOutput {
  logits: tf.Tensor3D; // [batch, pos, vocab]
  patterns: tf.Tensor4D[]; // blocks.{l}.attn.hook_pattern: [batch, head, query, key]
  convOut?: tf.Tensor3D; // blocks.0.hook_conv_out: [batch, pos, d_model]
}

/** Run the model named by `spec` on int32 token ids [batch, pos]. Call inside tf.tidy. */
export function forward(spec: ArchSpec, params: Params, tokens: tf.Tensor2D): ModelOutput {
  return spec.kind === 'conv-attn'
    ? convAttnForward(spec, params, tokens)
    : attnAttnForward(spec, params, tokens);
}
