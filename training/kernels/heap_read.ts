import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex } from './native';

/**
 * Copies a float32 tensor's values into `dst` at `at`. On the wasm backend straight out of the wasm heap (one
 * copy); `dataSync` would first copy them into a new array, then `set` copies again: for the data-parallel
 * step's parameter and gradient hand-offs (~20 tensors, 1 MB at seed 001) that was 2.5-3 ms a step each way,
 * with the other thread idle.
 */
export function readInto(t: tf.Tensor, dst: Float32Array, at: number): void {
  if (t.dtype !== 'float32') throw new Error(`readInto: a float32 tensor, got ${t.dtype}`);
  const backend = tf.backend();
  if (tf.getBackend() === 'wasm') {
    const i = heapIndex(backend, t);
    dst.set(new Float32Array(heapBuffer(backend), i * 4, t.size), at);
  } else {
    dst.set(t.dataSync() as Float32Array, at);
  }
}
