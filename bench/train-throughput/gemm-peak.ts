/**
 * The machine's single-precision GEMM peak as this bench measures it: smallscope's native GEMM (native/gemm,
 * the kernel training runs its products on) on 1 thread, and on `threads` worker threads at once (each its own
 * product, summed, as data-parallel training uses them). The OpenBLAS side is measured by the PyTorch worker
 * (torch.mm on contiguous operands) on the same shapes. A library's peak is its best rate over PEAK_SHAPES:
 * a square product and the shapes of the d=384 models' projections, since a blocked GEMM can be slower on one
 * shape than another (smallscope's packs a KC x n slab of B, which at n = 1024 no longer fits in L2).
 */
import { Worker } from 'node:worker_threads';
import { loadGemmAddon } from '../../training/kernels/native';

/** [m, n, k] of C[m, n] = A[m, k] B[k, n]. */
export const PEAK_SHAPES: [number, number, number][] = [
  [1024, 1024, 1024],
  [4096, 384, 384],
  [4096, 1152, 384],
];

interface Addon {
  gemm(heap: ArrayBufferLike, ...args: (number | boolean)[]): void;
}

/**
 * GFLOP/s of repeated m x n x k products on one thread for `ms` of wall time, after a warm-up. Plain JS on
 * purpose: the worker threads run this same function's source (they cannot import TypeScript).
 */
function gemmRate(addon: Addon, m: number, n: number, k: number, ms: number): number {
  const heap = new Float32Array(m * k + k * n + m * n);
  for (let i = 0; i < m * k + k * n; i++) heap[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const run = () => addon.gemm(heap.buffer, 1, m, n, k, 0, 0, false, m * k, 0, false, m * k + k * n, false);
  run(); // page in the operands and the pack buffers
  let count = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    run();
    count++;
  }
  return (2 * m * n * k * count) / ((performance.now() - t0) / 1000) / 1e9;
}

/** Summed GFLOP/s of `threads` threads each running gemmRate on [m, n, k] over the same wall window. */
async function nativeRate(threads: number, [m, n, k]: [number, number, number]): Promise<number | null> {
  const addon = loadGemmAddon();
  if (!addon) return null;
  const ms = 1000;
  if (threads <= 1) return gemmRate(addon as unknown as Addon, m, n, k, ms);
  const code = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    const __name = (f) => f; // the name-keeping helper tsx's compiled source calls
    ${gemmRate.toString()}
    parentPort.postMessage(gemmRate(require(w.addon), w.m, w.n, w.k, w.ms));
  `;
  const path = new URL('../../native/gemm/build/Release/smallscope_gemm.node', import.meta.url).pathname;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { addon: path, m, n, k, ms } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** smallscope's native sgemm peak on `threads` threads: the best rate over PEAK_SHAPES, or null without the addon. */
export async function nativeGemmPeak(threads: number): Promise<number | null> {
  let best: number | null = null;
  for (const shape of PEAK_SHAPES) {
    const r = await nativeRate(threads, shape);
    if (r !== null) best = Math.max(best ?? 0, r);
  }
  return best;
}
