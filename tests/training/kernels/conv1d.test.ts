import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { dilatedConvSame } from '../../../training/kernels/conv1d';
import { Rng } from '../../../training/random';
import { describeBothPaths } from './modes';

beforeAll(async () => {
  await initBackend();
});

const rand = (rng: Rng, shape: number[]) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );

/** The plain-ops reference: pad, k shifted slices side by side, one matmul (tf's own gradients). */
function reference(x: tf.Tensor3D, W: tf.Tensor3D, b: tf.Tensor1D, d: number): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const [k, , cOut] = W.shape;
  const r = ((k - 1) / 2) * d;
  const padded = tf.pad(x, [
    [0, 0],
    [r, r],
    [0, 0],
  ]);
  const win = tf.concat(
    Array.from({ length: k }, (_, tau) => tf.slice(padded, [0, tau * d, 0], [B, T, C])),
    2,
  );
  return tf.reshape(tf.add(tf.matMul(tf.reshape(win, [B * T, k * C]), tf.reshape(W, [k * C, cOut])), b), [
    B,
    T,
    cOut,
  ]);
}

describeBothPaths('dilatedConvSame (im2col kernel + hand-written gradient)', () => {
  for (const [k, d, T] of [
    [13, 5, 20],
    [3, 1, 7],
    [9, 2, 11],
  ]) {
    it(`k=${k}, dilation ${d}, T=${T}: output and dx, dW, db equal the plain-ops version's`, () => {
      const rng = new Rng(k * 100 + d);
      const [B, C, cOut] = [2, 3, 4];
      const x = rand(rng, [B, T, C]) as tf.Tensor3D;
      const W = rand(rng, [k, C, cOut]) as tf.Tensor3D;
      const b = rand(rng, [cOut]) as tf.Tensor1D;
      const w = rand(rng, [B, T, cOut]);
      const loss = (f: typeof reference) => (xx: tf.Tensor, WW: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(f(xx as tf.Tensor3D, WW as tf.Tensor3D, bb as tf.Tensor1D, d), w)) as tf.Scalar;
      const got = tf.grads(loss(dilatedConvSame))([x, W, b]);
      const want = tf.grads(loss(reference))([x, W, b]);
      const diff = (a: tf.Tensor, c: tf.Tensor) => tf.max(tf.abs(tf.sub(a, c))).dataSync()[0];
      expect(diff(dilatedConvSame(x, W, b, d), reference(x, W, b, d))).toBeLessThan(1e-4);
      got.forEach((g, i) => expect(diff(g, want[i])).toBeLessThan(1e-3));
      // and against central finite differences on a few coordinates of x and W
      const f = loss(dilatedConvSame);
      const h = 1e-2;
      for (const [t, gi] of [
        [x, 0],
        [W, 1],
      ] as [tf.Tensor, number][]) {
        const base = t.dataSync().slice();
        const g = got[gi].dataSync();
        for (let s = 0; s < 5; s++) {
          const i = rng.int(base.length);
          const at = (v: number) => {
            const c = base.slice();
            c[i] = v;
            const args = [x, W, b].map((y, j) => (j === gi ? tf.tensor(c, t.shape) : y));
            return f(args[0], args[1], args[2]).dataSync()[0];
          };
          const num = (at(base[i] + h) - at(base[i] - h)) / (2 * h);
          expect(Math.abs(num - g[i])).toBeLessThan(2e-2 * Math.max(1, Math.abs(num)));
        }
      }
    });
  }
});
