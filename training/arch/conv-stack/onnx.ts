import { hookName } from '../../../format/manifest';
import type { onnx } from '../../../format/onnx/gen/onnx.js';
import { convMult, convStackConfig } from './spec';
import type { SpecOf } from '../../../format/manifest';
import { DataType, type GraphBuilder, valueInfo } from '../../export/graph';

/**
 * The conv stack (model.ts) as ONNX nodes: real Conv nodes with their dilations and
 * 'same' pads (so `inspect`, `probe filters` and `probe field` read the taps from the graph), LayerNormalization
 * where the model normalises, attention written out as MatMul / Softmax with the pattern as a graph output,
 * and the tied head as MatMul with the transposed embedding. Adds nodes to `g`; returns the output infos.
 */
export function convStackGraph(
  g: GraphBuilder,
  spec: SpecOf<'conv-stack'>,
  w: Record<string, Float32Array>,
): onnx.IValueInfoProto[] {
  const c = convStackConfig(spec);
  const C = c.channels;
  const V = spec.vocab;
  const k = c.kernel;
  const outputs: onnx.IValueInfoProto[] = [valueInfo('logits', DataType.FLOAT, ['batch', 'pos', V])];
  const W_E = g.floats('embed.W_E', [V, C], w['embed.W_E']);
  let x = g.node('Gather', [W_E, 'tokens'], { axis: 0 }); // [batch, pos, C]
  c.attn.forEach((a, l) => {
    const m = convMult(a) * C;
    let xin = x;
    if (w[`blocks.${l}.ln.w`]) {
      xin = g.node(
        'LayerNormalization',
        [
          x,
          g.floats(`blocks.${l}.ln.w`, [C], w[`blocks.${l}.ln.w`]),
          g.floats(`blocks.${l}.ln.b`, [C], w[`blocks.${l}.ln.b`]),
        ],
        { axis: -1, epsilon: { float: 1e-5 } },
      ); // [batch, pos, C]
    }
    // Tap-major [k, C, m] -> PyTorch/ONNX layout [m, C, k].
    const raw = w[`blocks.${l}.conv.W`];
    const W = new Float32Array(m * C * k);
    for (let tap = 0; tap < k; tap++)
      for (let i = 0; i < C; i++)
        for (let o = 0; o < m; o++) W[(o * C + i) * k + tap] = raw[(tap * C + i) * m + o];
    const r = ((k - 1) / 2) * c.dilation[l];
    const chans = g.node('Transpose', [xin], { perm: [0, 2, 1] }); // [batch, C, pos]
    const conv = g.node(
      'Conv',
      [
        chans,
        g.floats(`blocks.${l}.conv.weight`, [m, C, k], W),
        g.floats(`blocks.${l}.conv.bias`, [m], w[`blocks.${l}.conv.b`]),
      ],
      { kernel_shape: [k], pads: [r, r], strides: [1], dilations: [c.dilation[l]], group: 1 },
    ); // [batch, m, pos]
    let y = g.node('Transpose', [conv], { perm: [0, 2, 1] }, a === 0 ? hookName.convOut(l) : undefined); // [batch, pos, m]
    if (a === 0) outputs.push(valueInfo(hookName.convOut(l), DataType.FLOAT, ['batch', 'pos', C]));
    if (a !== 0) {
      const H = a === 'T' ? 1 : a;
      const dh = C / H;
      const part = (i: number) =>
        g.node('Slice', [
          y,
          g.int64s(`blocks.${l}.s${i}`, [1], [i * C]),
          g.int64s(`blocks.${l}.e${i}`, [1], [(i + 1) * C]),
          g.int64s(`blocks.${l}.ax${i}`, [1], [2]),
        ]); // [batch, pos, C]
      const proj = (t: string, n: string) =>
        g.node('Add', [
          g.node('MatMul', [t, g.floats(`blocks.${l}.attn.W_${n}`, [C, C], w[`blocks.${l}.attn.W_${n}`])]),
          g.floats(`blocks.${l}.attn.b_${n}`, [C], w[`blocks.${l}.attn.b_${n}`]),
        ]); // [batch, pos, C]
      let q = part(0);
      let kk = part(1);
      let v = a === 'T' ? xin : part(2);
      if (a !== 'T') {
        q = proj(q, 'Q');
        kk = proj(kk, 'K');
        v = proj(v, 'V');
      }
      const headShape = g.int64s(`blocks.${l}.head_shape`, [4], [0, 0, H, dh]); // 0 = keep batch, pos
      const split = (t: string, perm: number[]) =>
        g.node('Transpose', [g.node('Reshape', [t, headShape])], { perm }); // [batch, pos, head, d_head] -> perm
      const qh = split(q, [0, 2, 1, 3]); // [batch, head, query, d_head]
      const kT = split(kk, [0, 2, 3, 1]); // [batch, head, d_head, key]
      const vh = split(v, [0, 2, 1, 3]); // [batch, head, key, d_head]
      const scores = g.node('Div', [
        g.node('MatMul', [qh, kT]),
        g.floats(`blocks.${l}.sqrt_d_head`, [], Float32Array.of(Math.sqrt(dh))),
      ]); // [batch, head, query, key]
      const pattern = g.node('Softmax', [scores], { axis: -1 }, hookName.pattern(l)); // [batch, head, query, key]
      outputs.push(valueInfo(hookName.pattern(l), DataType.FLOAT, ['batch', H, 'pos', 'pos']));
      const z = g.node('Transpose', [g.node('MatMul', [pattern, vh])], { perm: [0, 2, 1, 3] }); // [batch, query, head, d_head]
      y = g.node('Reshape', [z, g.int64s(`blocks.${l}.model_shape`, [3], [0, 0, C])]); // [batch, pos, C]: heads concatenated
      if (a !== 'T') y = proj(y, 'O');
    }
    x = g.node('Add', [g.node('Relu', [y]), x], {}, `blocks.${l}.hook_resid_post`); // [batch, pos, C]
  });
  const W_U = g.node('Transpose', [W_E], { perm: [1, 0] }); // [C, vocab]: the head is tied to the embedding
  g.node('MatMul', [x, W_U], {}, 'logits'); // [batch, pos, vocab]
  return outputs;
}
