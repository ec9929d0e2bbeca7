import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { copySlice } from '../../../training/kernels/heap_slice';
import { Rng } from '../../../training/random';

/**
 * The wasm Slice kernel replaced by row copies inside the heap (training/kernels/heap_slice.ts): every slice
 * equals its definition, out[i] = x[start + i] element by element, whatever axes are cut.
 */
beforeAll(async () => {
  await initBackend();
});

/** The definition, one element at a time. */
function reference(x: ArrayLike<number>, xShape: number[], start: number[], shape: number[]): number[] {
  const strides = xShape.map((_, i) => xShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const n = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let src = 0;
    for (let a = shape.length - 1; a >= 0; a--) {
      src += ((rest % shape[a]) + start[a]) * strides[a];
      rest = Math.floor(rest / shape[a]);
    }
    out.push(x[src]);
  }
  return out;
}

const CASES: [number[], number[], number[]][] = [
  // [x shape, start, size]
  [
    [64, 51, 256],
    [0, 0, 128],
    [64, 51, 128],
  ], // a conv-stack attention layer's keys
  [
    [64, 51, 256],
    [0, 0, 0],
    [32, 51, 256],
  ], // leading rows: one run
  [
    [4, 5, 6],
    [1, 2, 3],
    [2, 3, 2],
  ], // every axis cut
  [
    [4, 5, 6],
    [0, 0, 0],
    [4, 5, 6],
  ], // the whole tensor
  [
    [4, 5, 6],
    [3, 0, 0],
    [1, 5, 6],
  ],
  [
    [2, 3, 4, 5, 6],
    [1, 0, 2, 1, 0],
    [1, 3, 2, 3, 6],
  ], // rank 5, trailing axis whole
  [[7], [2], [4]],
  [
    [3, 1, 8],
    [0, 0, 7],
    [3, 1, 1],
  ], // one element per row
];

describe('Slice on the wasm backend (heap row copies)', () => {
  it.each(CASES)('x %j from %j, size %j equals the definition (float32)', (xShape, start, size) => {
    const rng = new Rng(1);
    const n = xShape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, () => rng.normal());
    const x = tf.tensor(data, xShape);
    const y = tf.slice(x, start, size);
    expect(y.shape).toEqual(size);
    expect(Array.from(y.dataSync())).toEqual(reference(data, xShape, start, size));
    tf.dispose([x, y]);
  });

  it('int32 and bool tensors are sliced the same way', () => {
    const x = tf.tensor(
      Int32Array.from({ length: 60 }, (_, i) => i * 3 - 7),
      [3, 4, 5],
      'int32',
    );
    expect(Array.from(tf.slice(x, [1, 1, 2], [2, 2, 3]).dataSync())).toEqual(
      reference(x.dataSync(), [3, 4, 5], [1, 1, 2], [2, 2, 3]),
    );
    const b = tf.tensor([true, false, true, true, false, false], [2, 3], 'bool');
    expect(Array.from(tf.slice(b, [0, 1], [2, 2]).dataSync())).toEqual([0, 1, 0, 0]);
  });

  it('a size of -1 takes the rest of the axis, and an empty slice is empty', () => {
    const x = tf.reshape(tf.range(0, 24), [2, 3, 4]);
    expect(Array.from(tf.slice(x, [1, 1, 1], [-1, -1, -1]).dataSync())).toEqual([17, 18, 19, 21, 22, 23]);
    expect(tf.slice(x, [0, 0, 0], [2, 0, 4]).shape).toEqual([2, 0, 4]);
  });

  it("the gradient of a slice puts dy back in the slice's place and zeros elsewhere", () => {
    const x = tf.reshape(tf.range(0, 24), [2, 3, 4]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1, 2], [2, 2, 2]), 2)))(x);
    const want = new Array(24).fill(0);
    for (const b of [0, 1]) for (const t of [1, 2]) for (const c of [2, 3]) want[b * 12 + t * 4 + c] = 2;
    expect(Array.from(g.dataSync())).toEqual(want);
  });

  it('copies no input out of the heap (the original kernel readSync-ed its whole input)', () => {
    expect(tf.getBackend()).toBe('wasm');
    const backend = tf.backend() as unknown as { readSync: (...a: unknown[]) => unknown };
    const x = tf.ones([64, 51, 256]);
    const readSync = backend.readSync;
    let reads = 0;
    backend.readSync = (...a: unknown[]) => (reads++, readSync.apply(backend, a));
    try {
      tf.slice(x, [0, 0, 128], [64, 51, 128]).dispose();
    } finally {
      backend.readSync = readSync;
    }
    expect(reads).toBe(0);
    x.dispose();
  });

  it('copySlice between separate arrays equals the definition', () => {
    const x = Float32Array.from({ length: 120 }, (_, i) => i);
    const out = new Float32Array(2 * 2 * 3);
    copySlice(x, [4, 5, 6], out, [1, 2, 3], [2, 2, 3]);
    expect(Array.from(out)).toEqual(reference(x, [4, 5, 6], [1, 2, 3], [2, 2, 3]));
  });
});
