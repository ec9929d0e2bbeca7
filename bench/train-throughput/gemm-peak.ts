/**
 * The machine's single-precision GEMM peak as this bench measures it: smallscope's native GEMM (native/gemm,
 * the kernel training runs its products on) on 1 thread, and on `threads` worker threads at once (each its own
 * product, summed, as data-parallel training uses them). The OpenBLAS side is measured by the PyTorch worker
 * (torch.mm on contiguous operands). Square n x n x n products, best of `reps` after a warm-up.
 */
import { Worker } from 'node:worker_threads';
import { loadGemmAddon } from '../../training/kernels/native';

export const PEAK_N = 1024;

/** GFLOP/s of one thread's best n^3 product, or null without the addon. */
export function nativeGemmGflops(n = PEAK_N, reps = 8): number | null {
  const addon = loadGemmAddon();
  if (!addon) return null;
  const heap = new Float32Array(3 * n * n);
  for (let i = 0; i < 2 * n * n; i++) heap[i] = ((i * 7919) % 1000) / 1000 - 0.5;
  const run = () => addon.gemm(heap.buffer, 1, n, n, n, 0, 0, false, n * n, 0, false, 2 * n * n, false);
  run(); // warm-up: page in the operands, pack buffers
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return (2 * n ** 3) / (best / 1000) / 1e9;
}

/** Summed GFLOP/s of `threads` worker threads each running nativeGemmGflops at the same time. */
export async function nativeGemmGflopsThreads(threads: number, n = PEAK_N): Promise<number | null> {
  if (threads <= 1) return nativeGemmGflops(n);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const addon = require(workerData.addon);
    const n = workerData.n;
    const heap = new Float32Array(3 * n * n);
    for (let i = 0; i < 2 * n * n; i++) heap[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    const run = () => addon.gemm(heap.buffer, 1, n, n, n, 0, 0, false, n * n, 0, false, 2 * n * n, false);
    run();
    // a fixed wall window, so both threads overlap for the whole measurement
    let count = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 1500) { run(); count++; }
    parentPort.postMessage((2 * n ** 3 * count) / ((performance.now() - t0) / 1000) / 1e9);
  `;
  const addon = addonPath();
  if (!addon) return null;
  const rates = await Promise.all(
    Array.from(
      { length: threads },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { addon, n } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

function addonPath(): string | null {
  const p = new URL('../../native/gemm/build/Release/smallscope_gemm.node', import.meta.url).pathname;
  return loadGemmAddon() ? p : null;
}
