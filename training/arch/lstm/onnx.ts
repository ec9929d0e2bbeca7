import type { onnx } from '../../../format/onnx/gen/onnx.js';
import type { SpecOf } from '../../../format/manifest';
import { DataType, type GraphBuilder, valueInfo } from '../../export/graph';

/**
 * The LSTM baseline (model.ts) as ONNX nodes: Gather (embedding) -> Transpose to [pos, batch, H]
 * -> one ONNX `LSTM` node per layer (Squeeze of its num_directions axis between layers) -> Transpose back ->
 * MatMul with the transposed embedding (tied head). No attention, no conv: the only output is `logits`.
 *
 * ONNX stacks the gates i, o, f, c where PyTorch stacks i, f, g, o, so the [4H, *] weight and bias rows are
 * reordered here; B is [b_ih; b_hh] in the new order. Initializers are named `lstm.l{k}.W|R|B`.
 */
const ONNX_FROM_TORCH = [0, 3, 1, 2]; // ONNX gate slot j holds PyTorch gate ONNX_FROM_TORCH[j]

/** Reorder the 4 gate blocks (each `rows` rows of `cols`) of a PyTorch [4H, cols] array into ONNX order. */
export function torchToOnnxGates(a: Float32Array, H: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  const block = H * cols;
  ONNX_FROM_TORCH.forEach((src, dst) => out.set(a.subarray(src * block, (src + 1) * block), dst * block));
  return out;
}

export function lstmGraph(
  g: GraphBuilder,
  spec: SpecOf<'lstm'>,
  w: Record<string, Float32Array>,
): onnx.IValueInfoProto[] {
  const H = spec.d_model;
  const V = spec.vocab;
  const W_E = g.floats('embed.W_E', [V, H], w['embed.W_E']);
  const emb = g.node('Gather', [W_E, 'tokens'], { axis: 0 }); // [batch, pos, H]
  let x = g.node('Transpose', [emb], { perm: [1, 0, 2] }); // [pos, batch, H]
  const axis1 = g.int64s('lstm.axis1', [1], [1]);
  for (let l = 0; l < spec.layers!; l++) {
    const W = torchToOnnxGates(w[`lstm.weight_ih_l${l}`], H, H);
    const R = torchToOnnxGates(w[`lstm.weight_hh_l${l}`], H, H);
    const B = new Float32Array(8 * H);
    B.set(torchToOnnxGates(w[`lstm.bias_ih_l${l}`], H, 1), 0);
    B.set(torchToOnnxGates(w[`lstm.bias_hh_l${l}`], H, 1), 4 * H);
    const Y = g.node(
      'LSTM',
      [
        x,
        g.floats(`lstm.l${l}.W`, [1, 4 * H, H], W),
        g.floats(`lstm.l${l}.R`, [1, 4 * H, H], R),
        g.floats(`lstm.l${l}.B`, [1, 8 * H], B),
      ],
      { hidden_size: H, direction: 'forward' },
    ); // [pos, 1, batch, H]
    x = g.node('Squeeze', [Y, axis1], {}, `blocks.${l}.hook_resid_post`); // [pos, batch, H]
  }
  const h = g.node('Transpose', [x], { perm: [1, 0, 2] }); // [batch, pos, H]
  const W_U = g.node('Transpose', [W_E], { perm: [1, 0] }); // [H, vocab]: the head is tied to the embedding
  g.node('MatMul', [h, W_U], {}, 'logits'); // [batch, pos, vocab]
  return [valueInfo('logits', DataType.FLOAT, ['batch', 'pos', V])];
}
