import * as tf from '@tensorflow/tfjs-core';

/**
 * Replace one kernel of the tfjs wasm backend. `make` receives the original kernel function (for the cases the
 * replacement leaves to it) and returns the new one. False, and nothing replaced, when the backend has no such
 * kernel.
 */
export function overrideWasmKernel(name: string, make: (original: tf.KernelFunc) => tf.KernelFunc): boolean {
  const original = tf.getKernel(name, 'wasm');
  if (!original) return false;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: make(original.kernelFunc) });
  return true;
}
