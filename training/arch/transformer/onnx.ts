import { hookName } from '../../../format/manifest';
import type { onnx } from '../../../format/onnx/gen/onnx.js';
import { DataType, type GraphBuilder, valueInfo } from '../../export/graph';
import { attentionLayers, headDim, type TransformerSpec } from './params';

/**
 * Conv-Attn and Attn-Attn as ONNX nodes, written from the weights so the graph reads like the model and
 * foreign-model tools recognise its parts:
 *
 *   tokens [batch, pos] int64
 *   -> Gather(W_E)                                    embedding
 *   -> Transpose -> Conv(k=3, pads 1, tap t+1 = 0) -> Transpose      (conv-attn; a real Conv with its taps)
 *   -> per layer: MatMul W_Q/W_K/W_V -> heads -> MatMul(Q, K^T) / sqrt(d_head)
 *                 -> + causal mask (-inf where key > query) -> Softmax      = blocks.{l}.attn.hook_pattern
 *                 -> MatMul(pattern, V) -> concat heads
 *   -> MatMul(W_U) + b_U                                       = logits [batch, pos, vocab]
 *
 * The causal mask is computed from the input's dynamic length, so one file serves any sequence length.
 */
export function transformerGraph(
  g: GraphBuilder,
  spec: TransformerSpec,
  w: Record<string, Float32Array>,
): onnx.IValueInfoProto[] {
  const D = spec.d_model;
  const V = spec.vocab;
  const H = spec.n_heads;
  const dh = headDim(spec);
  const outputs: onnx.IValueInfoProto[] = [valueInfo('logits', DataType.FLOAT, ['batch', 'pos', V])];

  // Shared constants and the causal mask [query, key] from the dynamic length: added to the scores, -inf
  // where the key comes after the query (softmax gives exactly 0 there), 0 elsewhere (x + 0 = x, so the kept
  // scores are unchanged). Made once per run for every layer; a Where(key > query, -inf, scores) per layer
  // gives the same pattern but cost ONNX Runtime ~2.5 ms more at 2048 tokens (its Where broadcasts slowly).
  const T1 = g.node('Shape', ['tokens'], { start: 1, end: 2 }); // [1] = pos
  const square = g.node('Concat', [T1, T1], { axis: 0 }); // [2] = [pos, pos]
  const negInf = g.node('Expand', [g.floats('neg_inf', [], Float32Array.of(-Infinity)), square]); // [query, key]
  const causalMask = g.node('Trilu', [negInf, g.int64s('one', [], [1])], { upper: 1 }, 'causal_mask'); // [query, key]: keeps key - query >= 1
  const scale = g.floats('sqrt_d_head', [], Float32Array.of(Math.sqrt(dh)));
  const headShape = g.int64s('head_shape', [4], [0, 0, H, dh]); // 0 = keep batch, pos
  const modelShape = g.int64s('model_shape', [3], [0, 0, D]);

  let x = g.node('Gather', [g.floats('embed.W_E', [V, D], w['embed.W_E']), 'tokens'], { axis: 0 }); // [batch, pos, d_model]
  if (spec.pos_embed) {
    const W_pos = g.floats('pos_embed.W_pos', [spec.max_seq, D], w['pos_embed.W_pos']);
    const rows = g.node('Slice', [
      W_pos,
      g.int64s('pos_start', [1], [0]),
      T1,
      g.int64s('pos_axes', [1], [0]),
    ]); // [pos, d_model]
    x = g.node('Add', [x, rows]); // [batch, pos, d_model]
  }
  const embedded = x;

  if (spec.kind === 'conv-attn') {
    const k = spec.kernel ?? 3;
    const raw = w['blocks.0.conv.W']; // tap-major [k, d_in, d_out]
    // ONNX/PyTorch layout [d_out, d_in, k]; the future tap (k = 2) is written as zeros: the mask is applied
    // here, and the raw values live on only in the manifest's conv_raw_stats.
    const masked = new Float32Array(D * D * k);
    for (let tap = 0; tap < k - 1; tap++)
      for (let i = 0; i < D; i++)
        for (let o = 0; o < D; o++) masked[(o * D + i) * k + tap] = raw[(tap * D + i) * D + o];
    const chans = g.node('Transpose', [x], { perm: [0, 2, 1] }); // [batch, d_model, pos]
    const conv = g.node(
      'Conv',
      [
        chans,
        g.floats('blocks.0.conv.weight', [D, D, k], masked),
        g.floats('blocks.0.conv.bias', [D], w['blocks.0.conv.b']),
      ],
      { kernel_shape: [k], pads: [1, 1], strides: [1], dilations: [1], group: 1 },
    ); // [batch, d_model, pos]
    x = g.node('Transpose', [conv], { perm: [0, 2, 1] }, hookName.convOut(0)); // [batch, pos, d_model]
    outputs.push(valueInfo(hookName.convOut(0), DataType.FLOAT, ['batch', 'pos', D]));
    if (spec.residual) x = g.node('Add', [embedded, x]);
  }

  for (let l = 0; l < attentionLayers(spec); l++) {
    const p = `blocks.${l}.attn`;
    const proj = (m: string) =>
      g.node('Reshape', [g.node('MatMul', [x, g.floats(`${p}.${m}`, [D, D], w[`${p}.${m}`])]), headShape]); // [batch, pos, head, d_head]
    const q = g.node('Transpose', [proj('W_Q')], { perm: [0, 2, 1, 3] }); // [batch, head, query, d_head]
    const kT = g.node('Transpose', [proj('W_K')], { perm: [0, 2, 3, 1] }); // [batch, head, d_head, key]
    const v = g.node('Transpose', [proj('W_V')], { perm: [0, 2, 1, 3] }); // [batch, head, key, d_head]
    const scores = g.node('Div', [g.node('MatMul', [q, kT]), scale]); // [batch, head, query, key]
    const masked = g.node('Add', [scores, causalMask]); // future keys -> -inf, so softmax gives exactly 0
    const pattern = g.node('Softmax', [masked], { axis: -1 }, hookName.pattern(l)); // [batch, head, query, key]
    outputs.push(valueInfo(hookName.pattern(l), DataType.FLOAT, ['batch', H, 'pos', 'pos']));
    const z = g.node('Transpose', [g.node('MatMul', [pattern, v])], { perm: [0, 2, 1, 3] }); // [batch, query, head, d_head]
    const out = g.node('Reshape', [z, modelShape]); // [batch, pos, d_model]: heads concatenated
    x = spec.residual ? g.node('Add', [x, out]) : out;
  }

  const W_U = g.floats('unembed.W_U', [D, V], w['unembed.W_U']);
  g.node('Add', [g.node('MatMul', [x, W_U]), g.floats('unembed.b_U', [V], w['unembed.b_U'])], {}, 'logits'); // [batch, pos, vocab]
  return outputs;
}
