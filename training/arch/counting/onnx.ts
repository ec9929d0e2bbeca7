import { hookName } from '../../../format/manifest';
import type { onnx } from '../../../format/onnx/gen/onnx.js';
import { COUNTING_LN_EPS, countClasses } from './model';
import type { SpecOf } from '../../../format/manifest';
import { DataType, type GraphBuilder, valueInfo } from '../../export/graph';

/**
 * Seed 004's counting model (model.ts) as ONNX: `logits` [batch, out_steps, classes]; the
 * encoder-decoder pattern `blocks.0.attn.hook_pattern` [batch, 1, out_steps, pos] (non-square) and, with
 * self-attention, `blocks.1.attn.hook_pattern` [batch, 1, out_steps, out_steps] (fixed, square: attention
 * among the output steps, not over the input). LayerNormalization nodes (opset 17) as the conv stack writes.
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

  /** The seed's attention(q, kv, kv): softmax(q kv^T / sqrt(d)) kv + q, then LayerNorm l. */
  const attention = (q: string, kv: string, l: number, keys: number | string): string => {
    const kT = g.node('Transpose', [kv], { perm: [0, 2, 1] }); // [batch, D, key]
    const scores = g.node('Unsqueeze', [g.node('Div', [g.node('MatMul', [q, kT]), scale]), ax1]); // [batch, 1, query, key]
    const pattern = g.node('Softmax', [scores], { axis: -1 }, hookName.pattern(l)); // [batch, 1, query, key]
    outputs.push(valueInfo(hookName.pattern(l), DataType.FLOAT, ['batch', 1, S, keys]));
    const gathered = g.node('Squeeze', [g.node('MatMul', [pattern, g.node('Unsqueeze', [kv, ax1])]), ax1]); // [batch, query, D]
    return g.node(
      'LayerNormalization',
      [
        g.node('Add', [gathered, q]),
        g.floats(`blocks.${l}.ln.w`, [D], w[`blocks.${l}.ln.w`]),
        g.floats(`blocks.${l}.ln.b`, [D], w[`blocks.${l}.ln.b`]),
      ],
      { axis: -1, epsilon: { float: COUNTING_LN_EPS } },
    ); // [batch, query, D]
  };

  const rows = g.node('Gather', [g.floats('embed.W_E', [spec.vocab, D], w['embed.W_E']), 'tokens'], {
    axis: 0,
  }); // [batch, pos, D]
  const kv = g.node('Add', [rows, g.floats('embed.b_E', [D], w['embed.b_E'])]); // [batch, pos, D]: keys = values
  const Q = g.floats('queries.W_q', [S, D], w['queries.W_q']); // [out_steps, D]
  // The queries, one row per output step, broadcast over the batch: [batch, out_steps, D] (Add and MatMul
  // broadcast [S, D] against [batch, ...] themselves).
  let dec = attention(Q, kv, 0, 'pos'); // [batch, out_steps, D]
  if (spec.self_attn) dec = attention(dec, dec, 1, S); // [batch, out_steps, D]
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
