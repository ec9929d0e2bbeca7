import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel } from './override';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Native matrix products for the tfjs WebAssembly backend.
 *
 * Why: the wasm backend's matmul (XNNPACK, 128-bit SIMD) reaches ~20 GFLOP/s per core here; PyTorch on the
 * same CPU uses AVX-512. `native/gemm` is a small C++ addon (a BLIS-style blocked GEMM with AVX-512 and AVX2
 * micro-kernels, ~100 GFLOP/s per core on this machine) built by `scripts/build-native.js` at install. It
 * works on the tensors where they live, in the wasm heap: the kernel below passes the heap's ArrayBuffer and
 * the operands' offsets, so nothing is copied, and transposed operands are read through swapped strides, so
 * `tf.matMul(a, b, transposeA, transposeB)` needs no materialised transpose.
 *
 * When the addon is present and the CPU has AVX2 or AVX-512, `installNativeMatMul` replaces the wasm
 * backend's BatchMatMul kernel; shapes it does not cover (batch broadcasting other than 1 vs n) go to the
 * original kernel. Without the addon (another platform, a failed build) or with SMALLSCOPE_NATIVE=0,
 * training runs on the wasm backend alone, with the same results up to float32 rounding.
 */
interface GemmAddon {
  gemm(
    heap: ArrayBufferLike,
    batch: number,
    m: number,
    n: number,
    k: number,
    aOffset: number,
    aBatchStride: number,
    transposeA: boolean,
    bOffset: number,
    bBatchStride: number,
    transposeB: boolean,
    cOffset: number,
    accumulate: boolean,
  ): void;
  adamw(
    heap: ArrayBufferLike,
    p: number,
    g: number,
    m: number,
    v: number,
    size: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    c1: number,
    c2: number,
    pOut: number,
    mOut: number,
    vOut: number,
  ): void;
  embed(
    heap: ArrayBufferLike,
    table: number,
    tokens: number,
    n: number,
    vocab: number,
    d: number,
    out: number,
  ): void;
  embedGrad(
    heap: ArrayBufferLike,
    dy: number,
    tokens: number,
    n: number,
    vocab: number,
    d: number,
    dtable: number,
  ): void;
  softmaxCrossEntropy(
    heap: ArrayBufferLike,
    logits: number,
    targets: number,
    n: number,
    v: number,
    loss: number,
    grad: number,
  ): void;
  layerNorm(
    heap: ArrayBufferLike,
    x: number,
    w: number,
    b: number,
    rows: number,
    c: number,
    eps: number,
    out: number,
    xhat: number,
    rstd: number,
  ): void;
  layerNormGrad(
    heap: ArrayBufferLike,
    dy: number,
    xhat: number,
    rstd: number,
    w: number,
    rows: number,
    c: number,
    dx: number,
    dw: number,
    db: number,
  ): void;
  sumRows(heap: ArrayBufferLike, x: number, rows: number, n: number, out: number): void;
  reluAdd(heap: ArrayBufferLike, y: number, x: number, n: number, out: number): void;
  reluGrad(heap: ArrayBufferLike, g: number, y: number, n: number, dy: number): void;
  conv1d(heap: ArrayBufferLike, x: number, w: number, out: number, ...sizes: number[]): void;
  conv1dBackwardData(heap: ArrayBufferLike, dy: number, w: number, dx: number, ...sizes: number[]): void;
  conv1dBackwardFilter(heap: ArrayBufferLike, x: number, dy: number, dw: number, ...sizes: number[]): void;
  simd(): 'avx512' | 'avx2' | 'generic';
}

interface WasmBackendLike {
  dataIdMap: { get(d: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

const ADDON = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../native/gemm/build/Release/smallscope_gemm.node',
);

let addon: GemmAddon | null | undefined;

/** The addon, or null when it is not built, fails to load, or is switched off (SMALLSCOPE_NATIVE=0). */
export function loadGemmAddon(): GemmAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.SMALLSCOPE_NATIVE === '0') return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON) as GemmAddon;
  } catch {
    // not built here (see scripts/build-native.js): the wasm kernels are used
  }
  return addon;
}

let active: string | undefined;
let enabled = true;

/** The instruction set of the installed native matmul ('avx512', 'avx2'), or undefined when not in use. */
export function nativeMatMul(): string | undefined {
  return enabled ? active : undefined;
}

/**
 * Switch the installed native kernels off (every kernel takes its wasm / JS path again) or back on; returns
 * whether they are in use. For side-by-side checks (tests, benchmarks) in one process.
 */
export function setNativeKernels(on: boolean): boolean {
  enabled = on;
  return nativeMatMul() !== undefined;
}

/**
 * The addon's other kernels (direct conv, softmax cross-entropy, AdamW, ...) once the native matmul is installed on
 * the wasm backend, else undefined: callers then use their wasm / JS path.
 */
export function nativeOps(): GemmAddon | undefined {
  return nativeMatMul() && tf.getBackend() === 'wasm' ? (addon ?? undefined) : undefined;
}

/** What a native kernel needs of the wasm backend: allocating its outputs. */
export interface NativeBackend {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
}

/**
 * Kernels that run only while the native kernels are in use, registered on the wasm backend the first time
 * they are needed. Returns `ready()`: false (use your wasm / JS path) when the native kernels are not in use.
 */
export function nativeKernels(kernels: Record<string, tf.KernelFunc>): () => boolean {
  let registered = false;
  return () => {
    if (!nativeOps()) return false;
    if (!registered) {
      for (const [kernelName, kernelFunc] of Object.entries(kernels))
        tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
      registered = true;
    }
    return true;
  };
}

/** Where a tensor's data starts in the wasm heap, in 4-byte elements. */
export function heapIndex(backend: unknown, t: tf.TensorInfo): number {
  return (backend as WasmBackendLike).dataIdMap.get(t.dataId).memoryOffset / 4;
}

/** The wasm heap's buffer; read it after allocating outputs (an allocation may grow and replace it). */
export function heapBuffer(backend: unknown): ArrayBufferLike {
  return (backend as WasmBackendLike).wasm.HEAPF32.buffer;
}

function product(shape: number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i]!;
  return n;
}

/**
 * Replace the wasm backend's BatchMatMul with the native GEMM. Call after the wasm backend is initialised;
 * returns the instruction set used, or undefined (nothing replaced).
 */
export function installNativeMatMul(): string | undefined {
  if (active) return active;
  const lib = loadGemmAddon();
  if (!lib || tf.getBackend() !== 'wasm') return undefined;
  const simd = lib.simd();
  // The portable kernel is no faster than XNNPACK: keep the wasm kernel then.
  if (simd === 'generic') return undefined;
  const replaced = overrideWasmKernel('BatchMatMul', (original) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchA = product(a.shape, 0, ra - 2);
    const batchB = product(b.shape, 0, rb - 2);
    const sameBatch = ra === rb && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
    const broadcastOne = (batchA === 1 && ra === 2) || (batchB === 1 && rb === 2);
    if (!enabled || a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameBatch || broadcastOne))
      return original(args);
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (k !== kb)
      throw new Error(
        `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    const batch = Math.max(batchA, batchB);
    const outer = (ra >= rb ? a.shape : b.shape).slice(0, -2);
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput([...outer, m, n], 'float32');
    if (batch * m * n === 0) return out;
    // Offsets and buffer read after the allocation, which may have grown the heap.
    const off = (t: tf.TensorInfo) => heapIndex(backend, t);
    lib.gemm(
      heapBuffer(backend),
      batch,
      m,
      n,
      k,
      off(a),
      batchA === 1 ? 0 : m * k,
      transposeA,
      off(b),
      batchB === 1 ? 0 : k * n,
      transposeB,
      off(out),
      false,
    );
    return out;
  });
  if (!replaced) return undefined;
  active = simd;
  return active;
}
