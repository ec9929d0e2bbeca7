import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { attentionCore, attentionReference } from '../../../training/kernels/attention';
import { bmm } from '../../../training/kernels/batched';
import { causalMask } from '../../../training/layers/attention';
import { Rng } from '../../../training/random';
import { crossEntropy } from '../../../training/step';
import { describeBothPaths } from './modes';

/**
 * Every hand-written gradient of the speed work against central finite differences of its own forward pass
 * (float32, so step 1e-2 on inputs of order 1 and a relative tolerance of a few percent).
 */
beforeAll(async () => {
  await initBackend();
});

const rand = (rng: Rng, shape: number[], scale = 1) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()),
    shape,
  );

/** Max |analytic - numeric| / max(|numeric|) over a sample of coordinates of each input. */
function checkGrad(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[], samples = 12, h = 1e-2): number {
  const grads = tf.grads((...a: tf.Tensor[]) => f(...a))(xs);
  let worst = 0;
  const rng = new Rng(99);
  xs.forEach((x, k) => {
    const g = grads[k].dataSync();
    const base = x.dataSync().slice();
    let scale = 1e-3;
    const pairs: [number, number][] = [];
    for (let s = 0; s < samples; s++) {
      const i = rng.int(base.length);
      const at = (v: number) => {
        const b = base.slice();
        b[i] = v;
        const args = xs.map((y, j) => (j === k ? tf.tensor(b, x.shape) : y));
        const r = f(...args).dataSync()[0];
        return r;
      };
      const num = (at(base[i] + h) - at(base[i] - h)) / (2 * h);
      pairs.push([g[i], num]);
      scale = Math.max(scale, Math.abs(num));
    }
    for (const [a, n] of pairs) worst = Math.max(worst, Math.abs(a - n) / scale);
  });
  return worst;
}

describeBothPaths('hand-written gradients match finite differences', () => {
  it('bmm (the wasm batched-matmul kernel) equals tf.matMul', () => {
    const rng = new Rng(1);
    const a = rand(rng, [5, 7, 3]);
    const b = rand(rng, [5, 3, 4]);
    const got = bmm(a as tf.Tensor3D, b as tf.Tensor3D).dataSync();
    const want = tf.matMul(a, b).dataSync();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  for (const masked of [true, false]) {
    it(`attentionCore (${masked ? 'causal' : 'full'}): dQ, dK, dV`, () => {
      const rng = new Rng(masked ? 2 : 3);
      const [n, T, d] = [3, 6, 4];
      const q = rand(rng, [n, T, d]);
      const k = rand(rng, [n, T, d]);
      const v = rand(rng, [n, T, d]);
      const w = rand(rng, [n, T, d]); // a random linear read-out makes the loss depend on every output
      const mask = masked ? causalMask(T) : undefined;
      const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(
          tf.mul(attentionCore(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, mask, 0.5).z, w),
        ) as tf.Scalar;
      expect(checkGrad(f, [q, k, v])).toBeLessThan(0.03);
      // the forward and every gradient equal the plain formula under tfjs's own autodiff
      const ref = attentionReference(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, mask, 0.5).z;
      const got = attentionCore(q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D, mask, 0.5).z;
      const plain = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(
          tf.mul(attentionReference(a as tf.Tensor3D, b as tf.Tensor3D, c as tf.Tensor3D, mask, 0.5).z, w),
        ) as tf.Scalar;
      const fast = tf.grads(f)([q, k, v]);
      const slow = tf.grads(plain)([q, k, v]);
      for (let i = 0; i < 3; i++) {
        expect(tf.max(tf.abs(tf.sub(fast[i], slow[i]))).dataSync()[0]).toBeLessThan(1e-5);
      }
      expect(tf.max(tf.abs(tf.sub(ref, got))).dataSync()[0]).toBeLessThan(1e-5);
    });
  }

  it('crossEntropy: d loss / d logits, and the loss equals -mean log softmax at the targets', () => {
    const rng = new Rng(4);
    const [B, T, V] = [2, 3, 7];
    const logits = rand(rng, [B, T, V], 2);
    const targets = tf.tensor1d(
      Array.from({ length: B * T }, () => rng.int(V)),
      'int32',
    );
    const f = (x: tf.Tensor) => crossEntropy(x as tf.Tensor3D, targets);
    expect(checkGrad(f, [logits], 20)).toBeLessThan(0.03);
    const ref = tf.neg(
      tf.mean(
        tf.sum(
          tf.mul(tf.logSoftmax(tf.reshape(logits, [B * T, V])), tf.cast(tf.oneHot(targets, V), 'float32')),
          1,
        ),
      ),
    );
    expect(Math.abs(f(logits).dataSync()[0] - ref.dataSync()[0])).toBeLessThan(1e-5);
  });
});
