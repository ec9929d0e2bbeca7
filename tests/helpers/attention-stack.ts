import { onnx } from '../../format/onnx/gen/onnx.js';
import { initializer, intAttr, intsAttr, node, valueInfo } from './onnx-builder';

/**
 * Linear all-ones conv stacks with one attention layer on top, as ONNX models (one channel, so the gradient
 * magnitude |d y_t / d e_s| is the signed derivative itself). With attention taken out (A = I) their receptive
 * fields have closed forms: the all-ones ERF of the convs on the output's path (PROBE_DEFINITIONS §4.2).
 *
 * `values: 'conv'` (seed 002's Conv-Attn and the reference SelCopyConv's attention read the conv output):
 *   tokens -> embed [V, 1] -> conv x L (all ones, 'same') = h;  out = softmax(s h h^T) h
 * `values: 'input'` (seed 000's `T` layer: queries/keys from the layer's conv, values its input, residual):
 *   h = conv_0 .. conv_{L-2}(e);  q = k = conv_{L-1}(h);  out = h + softmax(s q k^T) h
 */
export interface AttentionStackOptions {
  kernel: number;
  dilations: number[];
  values: 'conv' | 'input';
  vocab?: number;
  /** score scale s: small, so the softmax does not saturate and attention mixes distant positions */
  scale?: number;
}

export function attentionStack({
  kernel,
  dilations,
  values,
  vocab = 8,
  scale = 1e-4,
}: AttentionStackOptions): Uint8Array {
  const nodes = [
    node('Gather', ['embed', 'tokens'], ['x']), // [b, T, 1]
    node('Transpose', ['x'], ['h0'], [intsAttr('perm', [0, 2, 1])]), // [b, 1, T]
  ];
  const inits = [
    initializer(
      'embed',
      [vocab, 1],
      Array.from({ length: vocab }, (_, i) => 0.1 * (i + 1)),
    ),
    initializer('scale', [], [scale]),
  ];
  dilations.forEach((d, i) => {
    inits.push(initializer(`w${i}`, [1, 1, kernel], Array<number>(kernel).fill(1)));
    const pad = ((kernel - 1) / 2) * d;
    nodes.push(
      node(
        'Conv',
        [`h${i}`, `w${i}`],
        [`h${i + 1}`],
        [intsAttr('kernel_shape', [kernel]), intsAttr('dilations', [d]), intsAttr('pads', [pad, pad])],
      ),
    );
  });
  const L = dilations.length;
  const qk = `h${L}`; // the last conv's output: queries and keys
  const v = values === 'conv' ? `h${L}` : `h${L - 1}`; // [b, 1, T]
  nodes.push(
    node('Transpose', [qk], ['qT'], [intsAttr('perm', [0, 2, 1])]), // [b, T, 1]
    node('MatMul', ['qT', qk], ['raw']), // [b, T, T]
    node('Mul', ['raw', 'scale'], ['scores']),
    node('Softmax', ['scores'], ['pattern'], [intAttr('axis', -1)]), // [b, T, T]
    node('Transpose', [v], ['vT'], [intsAttr('perm', [0, 2, 1])]), // [b, T, 1]
    node('MatMul', ['pattern', 'vT'], [values === 'conv' ? 'out' : 'mixed']), // [b, T, 1]
  );
  if (values === 'input') nodes.push(node('Add', ['vT', 'mixed'], ['out']));
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'smallscope-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'attention-stack',
      node: nodes,
      initializer: inits,
      input: [valueInfo('tokens', onnx.TensorProto.DataType.INT64, ['batch', 'seq'])],
      output: [valueInfo('out', onnx.TensorProto.DataType.FLOAT, ['batch', 'seq', 1])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
