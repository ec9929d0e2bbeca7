import type * as tf from '@tensorflow/tfjs-core';
import type { onnx } from '../../format/onnx/gen/onnx.js';
import type { ArchKind, SpecOf } from '../../format/manifest';
import type { GraphBuilder } from '../export/graph';
import type { Params } from '../models/params';
import type { ParamDef } from './init';

/** What one forward pass returns; tensor names mirror the ONNX graph outputs. */
export interface ModelOutput {
  logits: tf.Tensor3D; // [batch, pos, vocab]
  patterns: tf.Tensor4D[]; // blocks.{l}.attn.hook_pattern: [batch, head, query, key]
  convOut?: tf.Tensor3D; // blocks.0.hook_conv_out: [batch, pos, d_model]
}

/**
 * Everything training/ knows of one kind of model, in that kind's own folder: its parameters, its tfjs
 * forward pass, its ONNX graph (the same computation, node by node) and which layers hold attention. The
 * loop, the checkpoint writer and the exporter see only this interface.
 */
export interface Architecture<K extends ArchKind = ArchKind> {
  kind: K;
  /** Parameter names, shapes and PyTorch-default initialisation, in the order they are drawn. */
  paramDefs(spec: SpecOf<K>): ParamDef[];
  /** The forward pass on int32 token ids [batch, pos] (a float signal for shapes-conv). Call inside tf.tidy. */
  forward(spec: SpecOf<K>, params: Params, tokens: tf.Tensor2D): ModelOutput;
  /** Writes the model's nodes into `g` (its input is `tokens`, or `signal`) and returns the graph outputs. */
  graph(g: GraphBuilder, spec: SpecOf<K>, w: Record<string, Float32Array>): onnx.IValueInfoProto[];
  /** Layer index of each attention pattern, in the order forward() returns them (`blocks.{l}` names). */
  patternLayers(spec: SpecOf<K>): number[];
  /**
   * Saved weights (by name) of an earlier layout of this kind that the forward pass no longer computes: a
   * phrase naming that layout, so `--resume` refuses it in one line; null when the names are this layout's.
   */
  oldLayout?(names: readonly string[]): string | null;
}
