import { hookName } from '../../../format/manifest';
import type { onnx } from '../../../format/onnx/gen/onnx.js';
import { shapesLayers } from './model';
import type { SpecOf } from '../../../format/manifest';
import { DataType, type GraphBuilder, valueInfo } from '../../export/graph';

/**
 * Seed 003's regression nets (model.ts) as ONNX: input `signal` float [batch, pos],
 * output `prediction` [batch, pos]; real Conv nodes (channels first, 'same' pads), the attention written as
 * MatMul / Softmax with its pattern as `blocks.{l}.attn.hook_pattern` [batch, 1, query, key].
 */
export const SIGNAL_INPUT = 'signal';

export function shapesGraph(
  g: GraphBuilder,
  spec: SpecOf<'shapes-conv'>,
  w: Record<string, Float32Array>,
): onnx.IValueInfoProto[] {
  const k = spec.kernel ?? 5;
  const C = spec.channels ?? spec.d_model;
  const { convs, attnAfter } = shapesLayers(spec);
  const outputs: onnx.IValueInfoProto[] = [valueInfo('prediction', DataType.FLOAT, ['batch', 'pos'])];
  const ax1 = g.int64s('axis1', [1], [1]);
  let x = g.node('Unsqueeze', [SIGNAL_INPUT, ax1]); // [batch, 1, pos]
  convs.forEach(([cin, cout], l) => {
    const raw = w[`blocks.${l}.conv.W`]; // tap-major [k, c_in, c_out] -> [c_out, c_in, k]
    const W = new Float32Array(cout * cin * k);
    for (let tap = 0; tap < k; tap++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) W[(o * cin + i) * k + tap] = raw[(tap * cin + i) * cout + o];
    const r = (k - 1) / 2;
    x = g.node(
      'Conv',
      [
        x,
        g.floats(`blocks.${l}.conv.weight`, [cout, cin, k], W),
        g.floats(`blocks.${l}.conv.bias`, [cout], w[`blocks.${l}.conv.b`]),
      ],
      { kernel_shape: [k], pads: [r, r], strides: [1], dilations: [1], group: 1 },
    ); // [batch, c_out, pos]
    if (l < convs.length - 1) x = g.node('Relu', [x]);
    if (l === attnAfter) {
      const seq = g.node('Unsqueeze', [g.node('Transpose', [x], { perm: [0, 2, 1] }), ax1]); // [batch, 1, pos, C]
      const proj = (m: string) =>
        g.node('MatMul', [seq, g.floats(`blocks.${l}.attn.${m}`, [C, C], w[`blocks.${l}.attn.${m}`])]); // [batch, 1, pos, C]
      const kT = g.node('Transpose', [proj('W_K')], { perm: [0, 1, 3, 2] }); // [batch, 1, C, key]
      const pattern = g.node(
        'Softmax',
        [g.node('MatMul', [proj('W_Q'), kT])],
        { axis: -1 },
        hookName.pattern(l),
      ); // [batch, 1, query, key] (no scale, as the seed)
      outputs.push(valueInfo(hookName.pattern(l), DataType.FLOAT, ['batch', 1, 'pos', 'pos']));
      const z = g.node('Squeeze', [g.node('MatMul', [pattern, proj('W_V')]), ax1]); // [batch, pos, C]
      x = g.node('Transpose', [z], { perm: [0, 2, 1] }); // [batch, C, pos]
    }
  });
  g.node('Squeeze', [x, ax1], {}, 'prediction'); // [batch, pos]
  return outputs;
}
