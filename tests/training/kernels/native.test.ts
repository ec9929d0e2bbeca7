import * as tf from '@tensorflow/tfjs-core';
import { arch, platform } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { loadGemmAddon, nativeMatMul, setNativeKernels } from '../../../training/kernels/native';
import { addBias } from '../../../training/kernels/batched';
import { layerNorm } from '../../../training/layers/dilated-conv';
import { embed } from '../../../training/layers/embedding';
import { AdamW } from '../../../training/optim/adamw';
import { Rng } from '../../../training/random';
import { gemmReference } from './gemm-reference';

/**
 * The native addon (native/gemm) against plain references: every product against a float64 triple loop,
 * the window kernels against their definition and each other (col2im is im2col's adjoint), the fused
 * cross-entropy, AdamW and embedding kernels against the formulas they replace.
 */
const lib = loadGemmAddon();

beforeAll(async () => {
  await initBackend();
});

describe('the native kernels are in use where they are built', () => {
  it.runIf(platform() === 'linux' && arch() === 'x64')(
    'on x86-64 Linux the addon is built at install and replaces the wasm matmul (AVX2 or AVX-512)',
    () => {
      expect(lib, 'native/gemm was not built: run `npm run build:native`').not.toBeNull();
      expect(['avx512', 'avx2']).toContain(lib!.simd());
      expect(nativeMatMul()).toBe(lib!.simd());
    },
  );
});

const fill = (rng: Rng, heap: Float32Array) => {
  for (let i = 0; i < heap.length; i++) heap[i] = rng.normal();
};

describe.runIf(lib)('gemm: C = op(A) op(B) on a shared heap', () => {
  // Shapes around the micro-kernel tiles (12 x 32 AVX-512, 6 x 16 AVX2), the 256-deep slabs, and the
  // narrow / in-place / transposed-weight-gradient paths.
  const shapes = [
    [1, 1, 1],
    [12, 32, 256],
    [13, 33, 257],
    [25, 70, 513],
    [100, 3, 7],
    [48, 64, 40],
    [200, 32, 300],
    [7, 130, 5],
  ];
  for (const [m, n, k] of shapes)
    for (const ta of [false, true])
      for (const tb of [false, true])
        it(`[${m} x ${k}] x [${k} x ${n}], transposeA ${ta}, transposeB ${tb}: within 1e-5 relative of float64`, () => {
          const rng = new Rng(m * 7 + n * 13 + k + (ta ? 1 : 0) + (tb ? 2 : 0));
          const ao = 3; // operands at odd offsets: no alignment is assumed
          const bo = ao + m * k + 5;
          const co = bo + k * n + 1;
          const h = new Float32Array(co + m * n + 3);
          fill(rng, h);
          const guard = [h[co - 1], h[co + m * n]];
          const want = gemmReference(h, m!, n!, k!, ao, ta, bo, tb);
          lib!.gemm(h.buffer, 1, m!, n!, k!, ao, 0, ta, bo, 0, tb, co, false);
          const scale = Math.sqrt(k!);
          for (let i = 0; i < m! * n!; i++)
            expect(Math.abs(h[co + i]! - want[i]!) / scale).toBeLessThan(1e-5);
          expect([h[co - 1], h[co + m! * n!]]).toEqual(guard); // nothing written outside C
        });

  it('accumulate adds to C; batch strides step through A and B, and stride 0 broadcasts B', () => {
    const rng = new Rng(5);
    const [batch, m, n, k] = [3, 5, 4, 6];
    const h = new Float32Array(batch * m * k + k * n + batch * m * n);
    fill(rng, h);
    const bo = batch * m * k;
    const co = bo + k * n;
    const before = h.slice(co);
    const want = Array.from({ length: batch }, (_, i) =>
      gemmReference(h, m, n, k, i * m * k, false, bo, false),
    );
    lib!.gemm(h.buffer, batch, m, n, k, 0, m * k, false, bo, 0, false, co, true);
    for (let i = 0; i < batch; i++)
      for (let e = 0; e < m * n; e++)
        expect(h[co + i * m * n + e]).toBeCloseTo(before[i * m * n + e]! + want[i]![e]!, 4);
  });

  it('denormal inputs are flushed to zero during a call (results below 1.2e-38 become 0), and the caller keeps IEEE denormals', () => {
    const h = new Float32Array([1e-39, 1, 2e-39, 0]);
    expect(h[0]).toBeGreaterThan(0); // a float32 denormal, stored as such
    lib!.gemm(h.buffer, 1, 1, 1, 1, 0, 0, false, 1, 0, false, 3, false); // h[3] = h[0] * h[1]
    expect(h[3]).toBe(0);
    // the FTZ/DAZ mode is restored: JavaScript's own arithmetic still produces denormals afterwards
    const tiny = Number.MIN_VALUE * 1e10; // ~5e-314, a float64 denormal
    expect(tiny * 1.5).toBeGreaterThan(0);
  });

  it('k = 0 writes zeros; an operand past the end of the heap is a RangeError and writes nothing', () => {
    const h = new Float32Array(16).fill(7);
    lib!.gemm(h.buffer, 1, 2, 2, 0, 0, 0, false, 0, 0, false, 4, false);
    expect([...h.slice(4, 8)]).toEqual([0, 0, 0, 0]);
    const copy = h.slice();
    expect(() => lib!.gemm(h.buffer, 1, 4, 4, 4, 0, 0, false, 0, 0, false, 8, false)).toThrow(RangeError);
    expect(() => lib!.gemm(h.buffer, 2, 2, 2, 2, 0, 20, false, 0, 0, false, 8, false)).toThrow(RangeError);
    expect(() => lib!.gemm(h.buffer, 1, -1, 2, 2, 0, 0, false, 0, 0, false, 8, false)).toThrow(RangeError);
    expect(h).toEqual(copy);
  });
});

describe.runIf(lib)("direct conv: products on each tap's valid rows, no window", () => {
  const [B, T, C, O, k, d] = [2, 9, 3, 4, 5, 2];
  const nx = B * T * C;
  const nw = k * C * O;
  const ny = B * T * O;

  /** out[b, t] = sum_tau x[b, t + tau*d - r] @ W[tau], x outside the sequence 0 (float64). */
  function reference(h: Float32Array, r: number): Float64Array {
    const out = new Float64Array(ny);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++)
        for (let tau = 0; tau < k; tau++) {
          const s = t + tau * d - r;
          if (s < 0 || s >= T) continue;
          for (let c = 0; c < C; c++)
            for (let o = 0; o < O; o++)
              out[(b * T + t) * O + o]! += h[(b * T + s) * C + c]! * h[nx + (tau * C + c) * O + o]!;
        }
    return out;
  }

  for (const [name, r] of [
    ["'same' (padding (k-1)/2*d each side)", ((k - 1) / 2) * d],
    ['causal (padding (k-1)*d on the left)', (k - 1) * d],
  ] as const)
    it(`${name}: forward equals the definition; backward data and filter are its adjoints`, () => {
      const rng = new Rng(11 + r);
      // x | W | out | y | dx | dW
      const h = new Float32Array(nx + nw + ny + ny + nx + nw);
      fill(rng, h);
      const [xo, wo, oo, yo, dxo, dwo] = [
        0,
        nx,
        nx + nw,
        nx + nw + ny,
        nx + nw + 2 * ny,
        2 * nx + nw + 2 * ny,
      ];
      lib!.conv1d(h.buffer, xo, wo, oo, B, T, C, O, k, d, r);
      const want = reference(h, r);
      for (let i = 0; i < ny; i++) expect(h[oo + i]).toBeCloseTo(want[i]!, 4);
      lib!.conv1dBackwardData(h.buffer, yo, wo, dxo, B, T, C, O, k, d, r);
      lib!.conv1dBackwardFilter(h.buffer, xo, yo, dwo, B, T, C, O, k, d, r);
      const dot = (a: number, b: number, n: number) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += h[a + i]! * h[b + i]!;
        return s;
      };
      // <conv(x, W), y> = <x, dx(y)> = <W, dW(x, y)>
      expect(dot(xo, dxo, nx)).toBeCloseTo(dot(oo, yo, ny), 3);
      expect(dot(wo, dwo, nw)).toBeCloseTo(dot(oo, yo, ny), 3);
    });

  // The filter gradient is one product per tap whose depth runs through every sequence's valid rows: depths
  // that cross the 256-deep slabs inside a sequence, channel counts off both micro-kernels' tiles, and a tap
  // that lies wholly outside the sequence (dW[tau] = 0).
  for (const [Bn, Tn, Cn, On, kn, dn] of [
    [5, 70, 13, 33, 3, 2],
    [3, 30, 7, 5, 5, 20],
  ])
    it(`filter gradient, B=${Bn} T=${Tn} C=${Cn} O=${On} k=${kn} d=${dn}: every entry of dW[tau] = sum_b,t x[b, t + tau*d - r]^T dy[b, t] (float64)`, () => {
      const r = ((kn! - 1) / 2) * dn!;
      const [nxn, nyn, nwn] = [Bn! * Tn! * Cn!, Bn! * Tn! * On!, kn! * Cn! * On!];
      const h = new Float32Array(nxn + nyn + nwn);
      fill(new Rng(Bn! + Tn!), h);
      lib!.conv1dBackwardFilter(h.buffer, 0, nxn, nxn + nyn, Bn!, Tn!, Cn!, On!, kn!, dn!, r);
      let worst = 0;
      for (let tau = 0; tau < kn!; tau++)
        for (let c = 0; c < Cn!; c++)
          for (let o = 0; o < On!; o++) {
            let want = 0;
            for (let b = 0; b < Bn!; b++)
              for (let t = 0; t < Tn!; t++) {
                const src = t + tau * dn! - r;
                if (src >= 0 && src < Tn!)
                  want += h[(b * Tn! + src) * Cn! + c]! * h[nxn + (b * Tn! + t) * On! + o]!;
              }
            worst = Math.max(worst, Math.abs(h[nxn + nyn + (tau * Cn! + c) * On! + o]! - want));
          }
      expect(worst / Math.sqrt(Bn! * Tn!)).toBeLessThan(1e-5);
    });

  it('a left padding outside [0, (k-1)*dilation] or a zero dilation is refused', () => {
    const h = new Float32Array(1000);
    expect(() => lib!.conv1d(h.buffer, 0, 100, 200, 1, 4, 2, 2, 3, 1, 3)).toThrow(RangeError);
    expect(() => lib!.conv1d(h.buffer, 0, 100, 200, 1, 4, 2, 2, 3, 1, -1)).toThrow(RangeError);
    expect(() => lib!.conv1dBackwardData(h.buffer, 0, 100, 200, 1, 4, 2, 2, 3, 0, 0)).toThrow(RangeError);
  });
});

describe.runIf(lib)('softmax cross-entropy in one pass', () => {
  it('loss = logsumexp - target logit and grad = softmax - onehot, to float32 rounding (1e-6)', () => {
    const rng = new Rng(13);
    const [n, v] = [7, 300];
    const h = new Float32Array(n * v + n + n + n * v);
    for (let i = 0; i < n * v; i++) h[i] = 8 * rng.normal(); // wide logits: exp over a large range
    const targets = new Int32Array(h.buffer, n * v * 4, n);
    for (let i = 0; i < n; i++) targets[i] = rng.int(v);
    targets[n - 1] = v - 1;
    const lo = n * v + n;
    const go = lo + n;
    lib!.softmaxCrossEntropy(h.buffer, 0, n * v, n, v, lo, go);
    for (let i = 0; i < n; i++) {
      const row = Array.from(h.subarray(i * v, (i + 1) * v));
      const m = Math.max(...row);
      const z = row.reduce((s, x) => s + Math.exp(x - m), 0);
      expect(h[lo + i]).toBeCloseTo(Math.log(z) + m - row[targets[i]!]!, 4);
      for (let j = 0; j < v; j++)
        expect(
          Math.abs(h[go + i * v + j]! - (Math.exp(row[j]! - m) / z - (j === targets[i] ? 1 : 0))),
        ).toBeLessThan(1e-6);
    }
  });

  it('a target outside the vocabulary gives a NaN loss, not a read outside the row', () => {
    const h = new Float32Array(4 + 1 + 1 + 4);
    new Int32Array(h.buffer, 16, 1)[0] = 9;
    lib!.softmaxCrossEntropy(h.buffer, 0, 4, 1, 4, 5, 6);
    expect(h[5]).toBeNaN();
  });
});

describe.runIf(lib)('fused optimizer and embedding kernels equal the tf ops they replace', () => {
  afterAll(() => setNativeKernels(true));

  /** Ten AdamW steps on fixed gradients, with the native kernel or the tf ops; returns the parameter. */
  function adamwRun(native: boolean): Float32Array {
    setNativeKernels(native);
    const rng = new Rng(21);
    const p = {
      w: tf.variable(
        tf.tensor(
          Array.from({ length: 50 }, () => rng.normal()),
          [5, 10],
        ),
      ),
    };
    const opt = new AdamW(p, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
    for (let s = 0; s < 10; s++)
      tf.tidy(() =>
        opt.apply(
          {
            w: tf.tensor(
              Array.from({ length: 50 }, () => rng.normal()),
              [5, 10],
            ),
          },
          0.01,
        ),
      );
    const out = p.w.dataSync() as Float32Array;
    opt.dispose();
    p.w.dispose();
    return out;
  }

  it('AdamW: ten steps with the fused kernel equal ten steps of the tf-ops update within 1e-6', () => {
    const fused = adamwRun(true);
    const ops = adamwRun(false);
    fused.forEach((x, i) => expect(Math.abs(x - ops[i]!)).toBeLessThan(1e-6));
  });

  it('embedding: lookup rows and their scatter-add gradient equal the one-hot product (tokens out of range give 0)', () => {
    const rng = new Rng(22);
    const W = tf.tensor2d(
      Array.from({ length: 6 * 4 }, () => rng.normal()),
      [6, 4],
    );
    const tokens = tf.tensor2d([0, 5, 5, 2, 7, -1], [2, 3], 'int32');
    const dy = tf.tensor3d(
      Array.from({ length: 2 * 3 * 4 }, () => rng.normal()),
      [2, 3, 4],
    );
    const run = (native: boolean) => {
      setNativeKernels(native);
      const f = (w: tf.Tensor) => tf.sum(tf.mul(embed(tokens, w as tf.Tensor2D), dy)) as tf.Scalar;
      return { y: embed(tokens, W).arraySync(), g: tf.grad(f)(W).arraySync() };
    };
    const fast = run(true);
    const ref = run(false);
    expect(fast.y).toEqual(ref.y);
    (fast.g as number[][]).forEach((row, i) =>
      row.forEach((x, j) => expect(x).toBeCloseTo((ref.g as number[][])[i]![j]!, 5)),
    );
    expect((fast.y as number[][][])[1]![1]).toEqual([0, 0, 0, 0]); // token 7 is outside the vocabulary of 6
  });

  /** Value and gradients of sum(f(x, w, b) * r) with the native kernels on or off. */
  function grads3(
    native: boolean,
    f: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor,
    shapes: number[][],
  ) {
    setNativeKernels(native);
    const rng = new Rng(31);
    const [x, w, b, r] = [...shapes, shapes[0]!].map((s) =>
      tf.tensor(
        Array.from({ length: s.reduce((a, c) => a * c, 1) }, () => 1 + rng.normal()),
        s,
      ),
    );
    const loss = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(a, c, d), r!)) as tf.Scalar;
    return [f(x!, w!, b!), ...tf.grads(loss)([x!, w!, b!])].map((t) => Array.from(t.dataSync()));
  }

  it('layer norm: output and the gradients of x, gain and bias equal the tf.moments version within 1e-4', () => {
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      layerNorm(x as tf.Tensor3D, w as tf.Tensor1D, b as tf.Tensor1D);
    const fast = grads3(true, f, [[3, 5, 8], [8], [8]]);
    const ref = grads3(false, f, [[3, 5, 8], [8], [8]]);
    fast.forEach((a, i) =>
      a.forEach((x, j) => expect(Math.abs(x - ref[i]![j]!), `output ${i}`).toBeLessThan(1e-4)),
    );
  });

  it('bias: x + b with its gradient, the column sums of dy (equal to tf.add broadcast)', () => {
    const fast = grads3(true, (x, w, b) => addBias(tf.mul(x, w), b as tf.Tensor1D), [[7, 6], [6], [6]]);
    const ref = grads3(false, (x, w, b) => tf.add(tf.mul(x, w), b), [[7, 6], [6], [6]]);
    fast.forEach((a, i) => a.forEach((x, j) => expect(Math.abs(x - ref[i]![j]!)).toBeLessThan(1e-5)));
  });
});
