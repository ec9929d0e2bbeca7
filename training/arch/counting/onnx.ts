import { hookName } from '../../../format/manifest';
import type { onnx } from '../../../format/onnx/gen/onnx.js';
import { countClasses } from './model';
import type { SpecOf } from '../../../format/manifest';
import { DataType, type GraphBuilder, valueInfo } from '../../export/graph';

/**
 * Seed 004's counting model (model.ts) as ONNX: `logits` [batch, out_steps, classes]; the
 * encoder-decoder pattern `blocks.0.attn.hook_pattern` [batch, 1, out_steps, pos] (non-square) and, with
 * self-attention, `blocks.1.attn.hook_pattern` [batch, 1, out_steps, out_steps].
 */
export function countingGraph(
  g: GraphBuilder,
  spec: SpecOf<'counting'>,
  w: Record<string, Float32Array>,
): onnx.IValueInfoProto[] {
  const D = spec.d_model;
  const S = spec.out_steps!;
  const K = countClasses(spec);
  const outputs = [valueInfo('logits', DataType.FLOAT, ['batch', S, K])];
  const ax1 = g.int64s('axis1', [1], [1]);
  const scale = g.floats('sqrt_d', [], Float32Array.of(Math.sqrt(D)));
  const x = g.node('Gather', [g.floats('embed.W_E', [spec.vocab, D], w['embed.W_E']), 'tokens'], { axis: 0 }); // [batch, pos, D]
  const kT = g.node(
    'Transpose',
    [g.node('MatMul', [x, g.floats('blocks.0.attn.W_K', [D, D], w['blocks.0.attn.W_K'])])],
    { perm: [0, 2, 1] },
  ); // [batch, D, pos]
  const v = g.node('MatMul', [x, g.floats('blocks.0.attn.W_V', [D, D], w['blocks.0.attn.W_V'])]); // [batch, pos, D]
  const Q = g.floats('queries.W_q', [S, D], w['queries.W_q']); // [out_steps, D], broadcast over the batch
  const scores = g.node('Unsqueeze', [g.node('Div', [g.node('MatMul', [Q, kT]), scale]), ax1]); // [batch, 1, out_steps, pos]
  const cross = g.node('Softmax', [scores], { axis: -1 }, hookName.pattern(0)); // [batch, 1, out_steps, pos]
  outputs.push(valueInfo(hookName.pattern(0), DataType.FLOAT, ['batch', 1, S, 'pos']));
  let dec = g.node('Add', [
    g.node('Squeeze', [g.node('MatMul', [cross, g.node('Unsqueeze', [v, ax1])]), ax1]),
    Q,
  ]); // [batch, out_steps, D]
  if (spec.self_attn) {
    const s = g.node('Div', [
      g.node('MatMul', [dec, g.node('Transpose', [dec], { perm: [0, 2, 1] })]),
      scale,
    ]); // [batch, out_steps, out_steps]
    const self = g.node('Softmax', [g.node('Unsqueeze', [s, ax1])], { axis: -1 }, hookName.pattern(1)); // [batch, 1, out_steps, out_steps]
    outputs.push(valueInfo(hookName.pattern(1), DataType.FLOAT, ['batch', 1, S, S]));
    dec = g.node('Squeeze', [g.node('MatMul', [self, g.node('Unsqueeze', [dec, ax1])]), ax1]); // [batch, out_steps, D]
  }
  g.node(
    'Add',
    [
      g.node('MatMul', [dec, g.floats('unembed.W_U', [D, K], w['unembed.W_U'])]),
      g.floats('unembed.b_U', [K], w['unembed.b_U']),
    ],
    {},
    'logits',
  ); // [batch, out_steps, classes]
  return outputs;
}
