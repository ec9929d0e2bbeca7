import { onnx } from '../../format/onnx/gen/onnx.js';
import { mulberry32 } from '../../probes/inputs/prng';
import { initializer, intsAttr, node, valueInfo } from './onnx-builder';

/**
 * A linear stack of 1-D convs as an ONNX model: tokens -> Gather(embed [V, C]) -> Transpose -> Conv ... ->
 * Transpose -> out [batch, pos, C]. Weights are seeded pseudo-random numbers, returned for analytic checks.
 */
export interface StackLayer {
  kernel: number;
  dilation: number;
  padLeft: number;
  padRight: number;
  /** [C out][C in][k] row-major */
  weight: Float64Array;
}

export function convStackModel(
  kernel: number,
  dilations: number[],
  { C = 4, vocab = 16, seed = 1 } = {},
): { bytes: Uint8Array; layers: StackLayer[]; embed: Float64Array; C: number; vocab: number } {
  const rand = mulberry32(seed);
  const f32 = (x: number) => Math.fround(x);
  const embed = Float64Array.from({ length: vocab * C }, () => f32(rand() * 2 - 1));
  const layers: StackLayer[] = dilations.map((d) => {
    const bound = 1 / Math.sqrt(C * kernel);
    const pad = ((kernel - 1) / 2) * d;
    return {
      kernel,
      dilation: d,
      padLeft: pad,
      padRight: pad,
      weight: Float64Array.from({ length: C * C * kernel }, () => f32((rand() * 2 - 1) * bound)),
    };
  });
  const nodes = [
    node('Gather', ['embed', 'tokens'], ['x']),
    node('Transpose', ['x'], ['h0'], [intsAttr('perm', [0, 2, 1])]),
  ];
  const inits = [initializer('embed', [vocab, C], Array.from(embed))];
  layers.forEach((l, i) => {
    inits.push(initializer(`w${i}`, [C, C, kernel], Array.from(l.weight)));
    nodes.push(
      node(
        'Conv',
        [`h${i}`, `w${i}`],
        [`h${i + 1}`],
        [
          intsAttr('kernel_shape', [kernel]),
          intsAttr('dilations', [l.dilation]),
          intsAttr('pads', [l.padLeft, l.padRight]),
        ],
      ),
    );
  });
  nodes.push(node('Transpose', [`h${layers.length}`], ['out'], [intsAttr('perm', [0, 2, 1])]));
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'smallscope-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'conv-stack',
      node: nodes,
      initializer: inits,
      input: [valueInfo('tokens', onnx.TensorProto.DataType.INT64, ['batch', 'seq'])],
      output: [valueInfo('out', onnx.TensorProto.DataType.FLOAT, ['batch', 'seq', C])],
    },
  };
  return { bytes: onnx.ModelProto.encode(model).finish(), layers, embed, C, vocab };
}

/**
 * Exact gradient of y_t = sum_c h_L[c, t] with respect to the stack input h_0 [C, T] (linear stack, zero
 * padding), by backpropagating through each conv's taps in float64. Returns || d y_t / d h_0[:, s] ||_2.
 */
export function analyticProfile(layers: StackLayer[], C: number, T: number, t: number): Float64Array {
  let grad = new Float64Array(C * T);
  for (let c = 0; c < C; c++) grad[c * T + t] = 1;
  for (let l = layers.length - 1; l >= 0; l--) {
    const { kernel: k, dilation: d, padLeft, weight: w } = layers[l];
    const prev = new Float64Array(C * T);
    for (let o = 0; o < C; o++)
      for (let p = 0; p < T; p++) {
        const go = grad[o * T + p];
        if (go === 0) continue;
        for (let tau = 0; tau < k; tau++) {
          const u = p + tau * d - padLeft;
          if (u < 0 || u >= T) continue;
          for (let i = 0; i < C; i++) prev[i * T + u] += w[(o * C + i) * k + tau] * go;
        }
      }
    grad = prev;
  }
  return Float64Array.from({ length: T }, (_, s) => {
    let n = 0;
    for (let c = 0; c < C; c++) n += grad[c * T + s] ** 2;
    return Math.sqrt(n);
  });
}
