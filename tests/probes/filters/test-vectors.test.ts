import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ConvWeight } from '../../../format/conv/conv-weight';
import { channelRatios, smearKeys } from '../../../probes/conv/smear';
import { mulberry32 } from '../../../probes/inputs/prng';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { findConvs } from '../../../probes/onnx/conv-nodes';
import { decodeModel } from '../../../format/onnx/model';
import { causalSoftmax } from '../../../probes/pattern';
import { initializer, intsAttr, node, valueInfo } from '../../helpers/onnx-builder';

/** PROBE_DEFINITIONS test vectors H (§2.3.8), I (§3.1) and K (§3.4), checked against our code. */

describe('test vector H: smeared keys (Olsson et al. 2022, Argument 2)', () => {
  it('sigma(alpha) = 0.75 (alpha = ln 3) smears [[1,0],[0,1],[2,2]] to [[1,0],[0.25,0.75],[1.5,1.75]]', () => {
    const sigma = 1 / (1 + Math.exp(-Math.log(3)));
    expect(sigma).toBeCloseTo(0.75, 15);
    const k = smearKeys(
      [
        [1, 0],
        [0, 1],
        [2, 2],
      ],
      sigma,
    );
    const want = [
      [1, 0],
      [0.25, 0.75],
      [1.5, 1.75],
    ];
    k.forEach((row, j) => row.forEach((v, i) => expect(v).toBeCloseTo(want[j][i], 12)));
    expect(k[0]).toEqual([1, 0]); // the first key is unchanged
  });

  /** Last row of the causal pattern softmax(8 q k^T) with W_Q = W_K = I, one-hot tokens, keys fully smeared. */
  function lastRow(tokens: number[], vocab: number, sigma: number): number[] {
    const T = tokens.length;
    const x: number[][] = tokens.map((t) => Array.from({ length: vocab }, (_, i) => (i === t ? 1 : 0)));
    const keys = smearKeys(x, sigma); // W_K = I
    const S = new Float64Array(T * T);
    for (let q = 0; q < T; q++)
      for (let j = 0; j < T; j++) S[q * T + j] = 8 * x[q].reduce((s, v, i) => s + v * keys[j][i], 0); // W_Q = I
    const A = causalSoftmax(S, T);
    return Array.from(A.subarray((T - 1) * T));
  }

  const [BOS, A, B, C] = [0, 1, 2, 3];
  for (const sigma of [0, 1 / (1 + Math.exp(30))]) {
    it(`[BOS,A,B,C,A], sigma ${sigma === 0 ? '0' : '~1e-13'}: the last query (A) attends 0.9987 to position 2 (B, after the earlier A)`, () => {
      const row = lastRow([BOS, A, B, C, A], 4, sigma);
      expect(row[2]).toBeCloseTo(0.9987, 4);
      for (const j of [0, 1, 3, 4]) expect(row[j]).toBeCloseTo(0.0003, 4);
      expect(row.indexOf(Math.max(...row))).toBe(2);
    });

    it(`[A,B,C,A] without BOS, sigma ${sigma === 0 ? '0' : '~1e-13'}: the last row is [0.4998, 0.4998, 0.0002, 0.0002] (the unsmeared first key ties)`, () => {
      const row = lastRow([A, B, C, A], 4, sigma);
      [0.4998, 0.4998, 0.0002, 0.0002].forEach((v, j) => expect(row[j]).toBeCloseTo(v, 4));
      expect(row[0]).toBeCloseTo(row[1], 9); // a tie (exact at sigma 0)
    });
  }
});

describe('test vector I: Conv1d tap conventions (kernel 3, padding 1)', () => {
  /** One ONNX Conv node, x [1, 1, 5] -> y, with weight W [1, 1, 3] and pads [1, 1]. */
  function convModel(taps: number[]): Uint8Array {
    const FLOAT = onnx.TensorProto.DataType.FLOAT;
    return onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'tap-conventions',
        node: [
          node(
            'Conv',
            ['x', 'W'],
            ['y'],
            [intsAttr('kernel_shape', [3]), intsAttr('pads', [1, 1]), intsAttr('dilations', [1])],
          ),
        ],
        initializer: [initializer('W', [1, 1, 3], taps)],
        input: [valueInfo('x', FLOAT, [1, 1, 5])],
        output: [valueInfo('y', FLOAT, [1, 1, 5])],
      },
    }).finish();
  }

  const want = [
    [0, 1, 2, 3, 4], // tap 0 reads x[t-1]
    [1, 2, 3, 4, 5], // tap 1 reads x[t]
    [2, 3, 4, 5, 0], // tap 2 reads x[t+1]
  ];
  for (let tap = 0; tap < 3; tap++) {
    it(`x = [1..5], one-hot tap ${tap}: ONNX Runtime gives [${want[tap]}] and findConvs says offset ${tap - 1}`, async () => {
      const taps = [0, 0, 0].map((_, i) => (i === tap ? 1 : 0));
      const bytes = convModel(taps);
      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({
        x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4, 5), [1, 1, 5]),
      });
      expect(Array.from(out.y.data as Float32Array)).toEqual(want[tap]);
      await session.release();

      const [conv] = findConvs(decodeModel(bytes));
      expect(conv.taps!.map((t) => t.offset)).toEqual([-1, 0, 1]);
      expect(conv.taps!.map((t) => t.zero)).toEqual(taps.map((v) => v === 0));
      // The tap whose weight is 1 reads x[t + offset]: y[t] = x[t + offset] inside the sequence, 0 in the padding.
      const offset = conv.taps![tap].offset;
      const x = [1, 2, 3, 4, 5];
      expect(want[tap]).toEqual(x.map((_, t) => x[t + offset] ?? 0));
    });
  }
});

describe('test vector K: the null band of the prev/cur channel ratio at PyTorch default init', () => {
  /**
   * Conv1d(n_in, n_out, 3) at PyTorch's default init: every weight U(-b, b), b = 1/sqrt(3 n_in). Layout
   * [out][in][tap], taps reading t-1, t, t+1.
   */
  function defaultInitConv(nIn: number, nOut: number, rand: () => number): ConvWeight {
    const b = 1 / Math.sqrt(3 * nIn);
    return {
      out: nOut,
      in: nIn,
      kernel: 3,
      data: Float64Array.from({ length: nOut * nIn * 3 }, () => (2 * rand() - 1) * b),
      offsets: [-1, 0, 1],
    };
  }

  const observed: [number, number][] = [
    [16, 0.166],
    [64, 0.077],
    [384, 0.033],
  ];
  for (const [nIn, sdLog] of observed) {
    it(`n_in ${nIn}: std(log rho) over 6144 output channels is ${sdLog} within 10% (predicted 0.6325/sqrt(n_in) = ${(0.6325 / Math.sqrt(nIn)).toFixed(4)})`, () => {
      const rand = mulberry32(nIn);
      const logs: number[] = [];
      for (let c = 0; c < 16; c++) {
        const r = channelRatios(defaultInitConv(nIn, 384, rand));
        expect(r.null_sd_log).toBeCloseTo(0.6325 / Math.sqrt(nIn), 12);
        logs.push(...r.rho.map(Math.log));
      }
      const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
      const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (logs.length - 1));
      expect(Math.abs(sd / sdLog - 1)).toBeLessThan(0.1);
      expect(Math.abs(sd / (0.6325 / Math.sqrt(nIn)) - 1)).toBeLessThan(0.1);
      expect(Math.abs(mean)).toBeLessThan(0.1 * sd); // rho ~ 1: log rho is centred on 0
    });
  }
});
