import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { readInto } from '../../../training/kernels/heap_read';

/** readInto: a float32 tensor's values copied into an array at an offset, exactly what dataSync returns. */
describe('readInto', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it("writes a tensor's, a variable's and a reshape's values at their offsets, as dataSync gives them, and nothing else", () => {
    const x = tf.tensor2d([
      [1.5, -2, 3],
      [4, 5e-39, -6],
    ]);
    const v = tf.variable(tf.tensor1d([7, 8]));
    const r = tf.reshape(tf.add(x, 1), [3, 2]); // shares the sum's memory
    const dst = new Float32Array(16).fill(9);
    readInto(x, dst, 1);
    readInto(v, dst, 8);
    readInto(r, dst, 10);
    expect([...dst]).toEqual([9, ...x.dataSync(), 9, ...v.dataSync(), ...r.dataSync()]);
    expect(dst[5]).toBe(Math.fround(5e-39)); // a denormal survives the copy
    tf.dispose([x, v, r]);
  });

  it('refuses a tensor that is not float32', () => {
    const i = tf.tensor1d([1, 2], 'int32');
    expect(() => readInto(i, new Float32Array(2), 0)).toThrow(/float32/);
    i.dispose();
  });
});
