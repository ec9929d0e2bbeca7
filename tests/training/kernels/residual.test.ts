import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { nativeReluAdd } from '../../../training/kernels/residual';
import { loadGemmAddon } from '../../../training/kernels/native';
import { Rng } from '../../../training/random';

/**
 * The fused residual step against the tf ops it replaces: relu(y) + x and its gradients, bit for bit (the
 * same float operations: a max with 0, an add; the gradient passes g or 0).
 */
describe.runIf(loadGemmAddon())('relu(y) + x as one native kernel', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('value and both gradients equal tf.add(tf.relu(y), x) exactly, zeros of y included', () => {
    const rng = new Rng(3);
    const shape: [number, number, number] = [3, 5, 7];
    const values = () => Float32Array.from({ length: 105 }, (_, i) => (i % 9 === 0 ? 0 : rng.normal()));
    const y = tf.tensor3d(values(), shape);
    const x = tf.tensor3d(values(), shape);
    const g = tf.tensor3d(values(), shape);
    const fused = (a: tf.Tensor, b: tf.Tensor) => nativeReluAdd(a, b)!;
    const plain = (a: tf.Tensor, b: tf.Tensor) => tf.add(tf.relu(a), b);
    expect(nativeReluAdd(y, x)).toBeDefined();
    expect(fused(y, x).arraySync()).toEqual(plain(y, x).arraySync());
    const [dyF, dxF] = tf.grads(fused)([y, x], g);
    const [dyP, dxP] = tf.grads(plain)([y, x], g);
    expect(dyF!.arraySync()).toEqual(dyP!.arraySync());
    expect(dxF!.arraySync()).toEqual(dxP!.arraySync());
  });

  it('a NaN in y comes out as NaN in the value and in its gradient', () => {
    const y = tf.tensor1d([NaN, -1, 2]);
    const x = tf.tensor1d([1, 1, 1]);
    expect(Array.from(nativeReluAdd(y, x)!.dataSync())).toEqual([NaN, 1, 3]);
    const [dy] = tf.grads((a: tf.Tensor, b: tf.Tensor) => nativeReluAdd(a, b)!)([y, x], tf.ones([3]));
    expect(Array.from(dy!.dataSync())).toEqual([NaN, 0, 1]);
  });

  it('leaves tensors of different shapes or dtypes to the caller (undefined)', () => {
    expect(nativeReluAdd(tf.ones([2, 3]), tf.ones([3, 2]))).toBeUndefined();
    expect(nativeReluAdd(tf.ones([2], 'int32'), tf.ones([2], 'int32'))).toBeUndefined();
  });
});
