import { onnx } from '../../format/onnx/gen/onnx.js';
import { initializer, intAttr, intsAttr, node, valueInfo } from './onnx-builder';

/**
 * A two-head attention layer small enough to check the causal probes by hand:
 *
 *   x = embed[tokens]                                   [b, T, 4]
 *   q, k, v = x W_Q, x W_K, x W_V -> [b, 2, T, 2]        (heads split by Reshape + Transpose)
 *   A = softmax(q k^T)                                  [b, 2, T, T]
 *   z = A v                                             [b, 2, T, 2]   (hook_z)
 *   logits = (x + merge(z) W_O) W_U + b_U               (residual; without it: merge(z) W_O W_U + b_U)
 *
 * Head 1's columns of W_V are zero, so its z is exactly 0 whatever the input. `valuesLeft: false` computes
 * the same z as (v^T A^T)^T, so no MatMul(pattern, V) exists and the probes must fall back to the pattern.
 */
export interface ToyOptions {
  residual?: boolean;
  valuesLeft?: boolean;
  vocab?: number;
}

export const TOY = { d: 4, heads: 2, dHead: 2 };

const values = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const INT64 = onnx.TensorProto.DataType.INT64;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export function toyWeights(vocab = 7) {
  const d = TOY.d;
  return {
    embed: values(vocab * d, (i) => Math.sin(1.3 * i + 0.2)),
    wq: values(d * d, (i) => Math.cos(0.7 * i) * 0.9),
    wk: values(d * d, (i) => Math.sin(0.5 * i + 1) * 0.9),
    // head 1 reads columns 2, 3: zero
    wv: values(d * d, (i) => (i % d >= TOY.dHead ? 0 : Math.cos(1.1 * i + 0.3))),
    wo: values(d * d, (i) => Math.sin(0.9 * i + 0.4) * 0.8),
    wu: values(d * vocab, (i) => Math.cos(0.37 * i) * 1.5),
    bu: values(vocab, (i) => 0.1 * i - 0.2),
  };
}

export function toyModel({ residual = true, valuesLeft = false, vocab = 7 }: ToyOptions = {}): Uint8Array {
  const w = toyWeights(vocab);
  const split = (x: string, out: string) => [
    node('Reshape', [x, 'split_shape'], [`${out}_r`]), // [b, T, 2, 2]
    node('Transpose', [`${out}_r`], [out], [intsAttr('perm', [0, 2, 1, 3])]), // [b, 2, T, 2]
  ];
  const nodes = [
    node('Gather', ['embed', 'tokens'], ['x']), // [b, T, 4]
    node('MatMul', ['x', 'wq'], ['q0']),
    node('MatMul', ['x', 'wk'], ['k0']),
    node('MatMul', ['x', 'wv'], ['v0']),
    ...split('q0', 'q'),
    ...split('k0', 'k'),
    ...split('v0', 'v'),
    node('Transpose', ['k'], ['kt'], [intsAttr('perm', [0, 1, 3, 2])]), // [b, 2, 2, T]
    node('MatMul', ['q', 'kt'], ['scores']), // [b, 2, T, T]
    node('Softmax', ['scores'], ['pattern'], [intAttr('axis', -1)]),
    ...(valuesLeft
      ? [
          node('Transpose', ['pattern'], ['pt'], [intsAttr('perm', [0, 1, 3, 2])]),
          node('Transpose', ['v'], ['vt'], [intsAttr('perm', [0, 1, 3, 2])]), // [b, 2, 2, T]
          node('MatMul', ['vt', 'pt'], ['zt']), // [b, 2, 2, T]
          node('Transpose', ['zt'], ['z'], [intsAttr('perm', [0, 1, 3, 2])]), // [b, 2, T, 2]
        ]
      : [node('MatMul', ['pattern', 'v'], ['z'])]), // [b, 2, T, 2]
    node('Transpose', ['z'], ['zm'], [intsAttr('perm', [0, 2, 1, 3])]), // [b, T, 2, 2]
    node('Reshape', ['zm', 'merge_shape'], ['merged']), // [b, T, 4]
    node('MatMul', ['merged', 'wo'], ['attn_out']),
    ...(residual ? [node('Add', ['x', 'attn_out'], ['resid'])] : []),
    node('MatMul', [residual ? 'resid' : 'attn_out', 'wu'], ['u']),
    node('Add', ['u', 'bu'], ['logits']), // [b, T, V]
  ];
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'smallscope-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'causal-toy',
      node: nodes,
      initializer: [
        initializer('embed', [vocab, TOY.d], w.embed),
        initializer('wq', [TOY.d, TOY.d], w.wq),
        initializer('wk', [TOY.d, TOY.d], w.wk),
        initializer('wv', [TOY.d, TOY.d], w.wv),
        initializer('wo', [TOY.d, TOY.d], w.wo),
        initializer('wu', [TOY.d, vocab], w.wu),
        initializer('bu', [vocab], w.bu),
        { name: 'split_shape', dims: [4], dataType: INT64, int64Data: [0, 0, TOY.heads, TOY.dHead] },
        { name: 'merge_shape', dims: [3], dataType: INT64, int64Data: [0, 0, TOY.d] },
      ],
      input: [valueInfo('tokens', INT64, ['batch', 'seq'])],
      output: [valueInfo('logits', FLOAT, ['batch', 'seq', vocab])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
