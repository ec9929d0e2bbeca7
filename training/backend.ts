import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installNativeMatMul } from './kernels/native';
import { installHeapSlice } from './kernels/heap_slice';
import { installZeroCopyIdentity } from './kernels/zero_copy';
import { registerGradients } from './tfjs/gradients';

/**
 * Pick the fastest tfjs backend that exists here. The native bindings (tfjs-node-gpu, tfjs-node) are optional
 * dependencies whose install downloads libtensorflow, so on an offline machine they are usually absent; the
 * WebAssembly backend always works. The pure-JS `cpu` backend is never used for training: it is 10-50x slower.
 *
 * WebAssembly in Node: SIMD works (Node >= 16), threads do not. tfjs-backend-wasm starts its pthread workers
 * from Blob URLs, which Node's worker_threads cannot load, and its WASM_HAS_MULTITHREAD_SUPPORT flag answers
 * false under Node for that reason; so we get the single-threaded SIMD binary.
 */
export interface BackendInfo {
  /** What the train command prints and stores in the manifest, e.g. `wasm (simd, 1 thread)`. */
  name: string;
  /** The tfjs backend id (`tensorflow`, `wasm`). */
  id: string;
}

let chosen: BackendInfo | undefined;

async function tryNative(pkg: string): Promise<BackendInfo | undefined> {
  try {
    // A variable specifier keeps bundlers and tsc from resolving a package that is normally not installed.
    await import(/* @vite-ignore */ pkg);
    if (await tf.setBackend('tensorflow')) return { id: 'tensorflow', name: pkg.replace('@tensorflow/', '') };
  } catch {
    // not installed or its native library failed to load: fall through to the next candidate
  }
  return undefined;
}

async function useWasm(): Promise<BackendInfo> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries sit beside the package's dist/ JavaScript; a file path (with trailing slash) is what
  // the Emscripten loader under Node accepts.
  const require = createRequire(import.meta.url);
  const dist = path.dirname(
    require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
  );
  wasm.setWasmPaths(dist + path.sep);
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs WebAssembly backend failed to start');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = wasm.getThreadsCount();
  installZeroCopyIdentity();
  installHeapSlice();
  const native = installNativeMatMul();
  return {
    id: 'wasm',
    name:
      `wasm (${simd ? 'simd' : 'no simd'}, ${threads} thread${threads === 1 ? '' : 's'})` +
      (native ? ` + native matmul (${native})` : ''),
  };
}

/** Initialise (once) and return the backend used for training. */
export async function initBackend(): Promise<BackendInfo> {
  if (chosen) return chosen;
  await registerGradients();
  chosen =
    (await tryNative('@tensorflow/tfjs-node-gpu')) ??
    (await tryNative('@tensorflow/tfjs-node')) ??
    (await useWasm());
  return chosen;
}
