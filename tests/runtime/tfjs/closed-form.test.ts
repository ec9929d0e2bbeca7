import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, type OnnxModel } from '../../../format/onnx/model';
import { mulberry32 } from '../../../probes/inputs/prng';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import { EmbeddingGraph } from '../../../runtime/tfjs/graph-gradients';
import { GraphProgram } from '../../../runtime/tfjs/interpreter';
import { objectiveScalar } from '../../../runtime/tfjs/objective';
import { UnsupportedOp } from '../../../runtime/tfjs/ops/context';
import { initBackend } from '../../../training/backend';
import { analyticProfile, convStackModel } from '../../helpers/conv-stack';
import { floats, toyModel, toyNode as n } from './toy';

/**
 * Gradients of the interpreted graph (tf.grad through runtime/tfjs) against closed forms: y = sum(x W) gives
 * W's row sums; Gemm scales them by alpha; softmax, GELU and layer norm have their textbook derivatives (the
 * fused LayerNormalization and the ReduceMean form PyTorch exports alike); a linear dilated conv stack's
 * gradient is its taps back-propagated in float64 (helpers/conv-stack.ts); Gather and Slice route the
 * gradient to the elements they read. Float32 against float64 closed forms: 1e-5 relative.
 */
beforeAll(async () => {
  await initBackend();
});

/** the graphs' one input, x (toyModel reads only its name) */
const X = [{ name: 'x', dims: [], data: [] }];
const rand = mulberry32(11);
const values = (count: number) => Array.from({ length: count }, () => rand() * 2 - 1);

/** d sum(f) / d x for the graph's output `y` at input x. */
function gradient(model: OnnxModel, x: number[], dims: number[], weight?: number[]): number[] {
  const program = new GraphProgram(model);
  try {
    return tf.tidy(() => {
      const f = (t: tf.Tensor) => {
        const y = program.run({ x: t }, ['y']).y;
        return tf.sum(weight ? tf.mul(y, tf.tensor(weight, y.shape)) : y) as tf.Scalar;
      };
      return Array.from(tf.grad(f)(tf.tensor(x, dims)).dataSync());
    });
  } finally {
    program.dispose();
  }
}

function expectClose(ours: number[], want: number[], rel = 1e-5) {
  expect(ours).toHaveLength(want.length);
  const scale = Math.max(...want.map(Math.abs), 1e-12);
  ours.forEach((v, i) => expect(Math.abs(v - want[i]), `[${i}]`).toBeLessThanOrEqual(rel * scale));
}

describe('interpreter gradients = closed forms', () => {
  it('MatMul: d sum(x W) / d x[i, k] = sum_n W[k, n]', () => {
    const W = values(4 * 5);
    const model = toyModel(13, [n('MatMul', ['x', 'W'], ['y'])], X, ['y'], [floats('W', [4, 5], W)]);
    const rowSums = Array.from({ length: 4 }, (_, k) => W.slice(k * 5, k * 5 + 5).reduce((a, b) => a + b, 0));
    expectClose(
      gradient(model, values(2 * 3 * 4), [2, 3, 4]),
      Array.from({ length: 24 }, (_, i) => rowSums[i % 4]),
    );
  });

  it('Gemm (transB, alpha 0.5, beta 2, bias): d / d x[i, k] = 0.5 sum_n B[n, k]', () => {
    const B = values(5 * 4);
    const model = toyModel(
      13,
      [n('Gemm', ['x', 'B', 'C'], ['y'], { transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } })],
      X,
      ['y'],
      [floats('B', [5, 4], B), floats('C', [5], values(5))],
    );
    const colSums = Array.from(
      { length: 4 },
      (_, k) => 0.5 * [0, 1, 2, 3, 4].reduce((a, r) => a + B[r * 4 + k], 0),
    );
    expectClose(
      gradient(model, values(12), [3, 4]),
      Array.from({ length: 12 }, (_, i) => colSums[i % 4]),
    );
  });

  it('Softmax (axis 1 of 3, opset 13): d sum(c p) / d x = p (c - sum_axis c p)', () => {
    const model = toyModel(13, [n('Softmax', ['x'], ['y'], { axis: 1 })], X, ['y']);
    const x = values(2 * 3 * 4);
    const c = values(24);
    const want = new Array<number>(24);
    for (let b = 0; b < 2; b++)
      for (let k = 0; k < 4; k++) {
        const at = (j: number) => (b * 3 + j) * 4 + k;
        const z = [0, 1, 2].reduce((a, j) => a + Math.exp(x[at(j)]), 0);
        const p = [0, 1, 2].map((j) => Math.exp(x[at(j)]) / z);
        const cp = [0, 1, 2].reduce((a, j) => a + c[at(j)] * p[j], 0);
        [0, 1, 2].forEach((j) => (want[at(j)] = p[j] * (c[at(j)] - cp)));
      }
    expectClose(gradient(model, x, [2, 3, 4], c), want);
  });

  it('GELU as PyTorch exports it (x/sqrt2 -> Erf -> +1 -> *x -> *0.5): d / d x = Phi(x) + x phi(x)', () => {
    const model = toyModel(
      13,
      [
        n('Div', ['x', 'sqrt2'], ['a']),
        n('Erf', ['a'], ['b']),
        n('Add', ['b', 'one'], ['c']),
        n('Mul', ['x', 'c'], ['d']),
        n('Mul', ['d', 'half'], ['y']),
      ],
      X,
      ['y'],
      [floats('sqrt2', [], [Math.SQRT2]), floats('one', [], [1]), floats('half', [], [0.5])],
    );
    const x = values(16).map((v) => 3 * v);
    const phi = (v: number) => Math.exp((-v * v) / 2) / Math.sqrt(2 * Math.PI);
    // Phi(x) = (1 + erf(x / sqrt 2)) / 2, erf by its series (|x| <= 3 / sqrt 2: 40 terms are exact in float64)
    const erf = (z: number) => {
      let sum = 0;
      let term = z;
      for (let k = 0; k < 60; k++) {
        sum += term / (2 * k + 1);
        term *= (-z * z) / (k + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    expectClose(
      gradient(model, x, [16]),
      x.map((v) => (1 + erf(v / Math.SQRT2)) / 2 + v * phi(v)),
      1e-5,
    );
  });

  it('LayerNormalization and its ReduceMean / Sub / Pow / Sqrt / Div form: d sum(w LN(x)) / d x = (u - mean u - xh mean(u xh)) / sigma, u = gamma w', () => {
    const D = 6;
    const gamma = values(D);
    const beta = values(D);
    const eps = 1e-5;
    const fused = toyModel(
      17,
      [n('LayerNormalization', ['x', 'gamma', 'beta'], ['y'], { epsilon: { float: eps } })],
      X,
      ['y'],
      [floats('gamma', [D], gamma), floats('beta', [D], beta)],
    );
    const decomposed = toyModel(
      14,
      [
        n('ReduceMean', ['x'], ['mu'], { axes: [-1] }),
        n('Sub', ['x', 'mu'], ['xc']),
        n('Pow', ['xc', 'two'], ['sq']),
        n('ReduceMean', ['sq'], ['var'], { axes: [-1] }),
        n('Add', ['var', 'eps'], ['ve']),
        n('Sqrt', ['ve'], ['sd']),
        n('Div', ['xc', 'sd'], ['xh']),
        n('Mul', ['xh', 'gamma'], ['g']),
        n('Add', ['g', 'beta'], ['y']),
      ],
      X,
      ['y'],
      [
        floats('two', [], [2]),
        floats('eps', [], [eps]),
        floats('gamma', [D], gamma),
        floats('beta', [D], beta),
      ],
    );
    const x = values(3 * D);
    const w = values(3 * D);
    const want: number[] = [];
    for (let r = 0; r < 3; r++) {
      const row = x.slice(r * D, (r + 1) * D);
      const mu = row.reduce((a, b) => a + b, 0) / D;
      const sigma = Math.sqrt(row.reduce((a, b) => a + (b - mu) ** 2, 0) / D + eps);
      const xh = row.map((v) => (v - mu) / sigma);
      const u = gamma.map((g, j) => g * w[r * D + j]);
      const mu_u = u.reduce((a, b) => a + b, 0) / D;
      const mu_uxh = u.reduce((a, b, j) => a + b * xh[j], 0) / D;
      want.push(...u.map((v, j) => (v - mu_u - xh[j] * mu_uxh) / sigma));
    }
    expectClose(gradient(fused, x, [3, D], w), want, 1e-4);
    expectClose(gradient(decomposed, x, [3, D], w), want, 1e-4);
  });

  it('Gather with negative indices and Slice with a negative step send the gradient where they read', () => {
    const model = toyModel(
      13,
      [
        n('Gather', ['x', 'i'], ['g']),
        n('Slice', ['x', 's', 'e', 'a', 'st'], ['r']),
        n('Concat', ['g', 'r'], ['y'], { axis: 0 }),
      ],
      X,
      ['y'],
      [
        { name: 'i', dims: [3], dataType: 7, int64Data: [-1, 0, -1] },
        { name: 's', dims: [1], dataType: 7, int64Data: [-2] },
        { name: 'e', dims: [1], dataType: 7, int64Data: [-100] },
        { name: 'a', dims: [1], dataType: 7, int64Data: [0] },
        { name: 'st', dims: [1], dataType: 7, int64Data: [-3] },
      ],
    );
    // rows 4, 0, 4 gathered; rows 3, 0 sliced (from -2 = 3 backwards by 3): each read adds 1 to its row
    const reads = [4, 0, 4, 3, 0];
    const want = Array.from({ length: 5 }, (_, r) => reads.filter((i) => i === r).length).flatMap((c) => [
      c,
      c,
    ]);
    expect(gradient(model, values(5 * 2), [5, 2])).toEqual(want);
  });

  it('a linear dilated conv stack (kernel 3, dilations 1, 2, 4): g(s) = the taps back-propagated in float64', () => {
    const m = convStackModel(3, [1, 2, 4], { C: 4, vocab: 16, seed: 3 });
    const model = decodeModel(m.bytes);
    const cut = cutAtEmbedding(model);
    const table = { dims: [m.vocab, m.C], data: Float32Array.from(m.embed) };
    const graph = new EmbeddingGraph(model, cut, 'out', table);
    const T = 24;
    const t = 11;
    const row = Array.from({ length: T }, (_, i) => (i * 5 + 2) % m.vocab);
    const { grad, d } = graph.gradient(row, (out) => objectiveScalar(out, T, t, { kind: 'sum' }, null));
    graph.dispose();
    const ours = Array.from({ length: T }, (_, s) => Math.hypot(...grad.slice(s * d, (s + 1) * d)));
    const want = Array.from(analyticProfile(m.layers, m.C, T, t));
    expectClose(ours, want);
    ours.forEach((g, s) => expect(g === 0).toBe(want[s] === 0)); // exact zeros outside the support
  });
});

describe('an output that does not depend on the embedding vectors', () => {
  it('(it reads only their shape) has a zero gradient, not an error', () => {
    const model = toyModel(
      13,
      [n('Gather', ['E', 'tokens'], ['e']), n('Shape', ['e'], ['s']), n('Cast', ['s'], ['y'], { to: 1 })],
      [{ name: 'tokens', dims: [1, 3], data: [], type: 'int64' }],
      ['y'],
      [floats('E', [4, 2], values(8))],
    );
    const table = { dims: [4, 2], data: Float32Array.from(values(8)) };
    const graph = new EmbeddingGraph(model, cutAtEmbedding(model), 'y', table);
    const r = graph.gradient([0, 1, 2], (out) => tf.sum(out) as tf.Scalar);
    graph.dispose();
    expect(Array.from(r.grad)).toEqual(new Array(6).fill(0));
    expect(r.value).toBe(1 + 3 + 2); // the shape [1, 3, 2], summed
  });
});

describe('the supported set', () => {
  it('an op outside it that the output needs is named with its node; one the output does not need is not', () => {
    const model = toyModel(
      14,
      [n('HardSwish', ['x'], ['h']), n('Relu', ['x'], ['y']), n('Add', ['h', 'y'], ['z'])],
      X,
      ['y', 'z'],
    );
    const program = new GraphProgram(model);
    expect(() => program.plan(['y'], ['x'])).not.toThrow();
    expect(() => program.plan(['z'], ['x'])).toThrow(new UnsupportedOp('HardSwish', 'HardSwish_h'));
    expect(new UnsupportedOp('HardSwish', 'HardSwish_h').message).toBe(
      "op 'HardSwish' (node HardSwish_h) is not differentiated by smallscope",
    );
  });

  it('a node of another domain is outside it, whatever its op type', () => {
    const node = { ...n('Relu', ['x'], ['y']), domain: 'com.microsoft' };
    const model = toyModel(14, [node], X, ['y']);
    expect(() => new GraphProgram(model).plan(['y'], ['x'])).toThrow(
      /op 'Relu' \(node Relu_y\) is not differentiated by smallscope: domain 'com.microsoft'/,
    );
  });
});
