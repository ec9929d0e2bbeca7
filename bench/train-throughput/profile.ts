/**
 * bench/train-throughput/profile.ts: where one smallscope training step spends its time, per tfjs kernel
 * (one thread, after warm-up). Prints, for the chosen configuration of bench.ts, each kernel's share of the
 * step, its calls and its total milliseconds, and the share spent outside kernels (JS: tape, gradient
 * bookkeeping, optimizer loop, allocation). Then the products (convolutions and matmuls: the kernels that do
 * the step's FLOPs, flops.ts) apart from the rest, with their rate as a fraction of smallscope's own one-thread
 * sgemm peak (gemm-peak.ts), and the ceiling that implies: the fraction of peak the step would reach if every
 * other kernel and all the JS took no time. Not a test.
 * Usage: npx tsx bench/train-throughput/profile.ts "<configuration name filter>" [steps=5]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../training/backend';
import { initParams } from '../../training/models/params';
import { AdamW } from '../../training/optim/adamw';
import { Rng } from '../../training/random';
import { trainStep } from '../../training/step';
import { benchConfigs } from './configs';
import { trainFlops } from './flops';
import { nativeGemmPeak } from './gemm-peak';

process.env.SMALLSCOPE_THREADS = '1';
const filter = process.argv[2] ?? '';
const steps = Number(process.argv[3] ?? 5);

// Kernels that carry the step's FLOPs: the convolutions (SmallscopeConv1d*) and every matmul.
const isProduct = (kernel: string) => /Conv1d|MatMul/.test(kernel);
// tf.customGrad records its forward function as a kernel named 'forward' around the kernels it runs: counted
// in those, so left out of the sums.
const WRAPPER = 'forward';

async function main() {
  const backend = await initBackend();
  // The peak: the better of a sample before and one after the profiled steps (a shared host's speed drifts).
  let peak = await nativeGemmPeak(1);
  for (const c of benchConfigs().filter((x) => x.name.includes(filter))) {
    const params = initParams(c.spec, new Rng(1));
    const opt = new AdamW(params);
    const rng = new Rng(7);
    const batch = () => Int32Array.from({ length: c.batch * (c.seqLen + 1) }, () => rng.int(256));
    for (let i = 0; i < 2; i++) trainStep(c.spec, params, opt, batch(), c.seqLen, 1e-3); // warm-up
    const byKernel = new Map<string, { ms: number; calls: number }>();
    let wall = 0;
    for (let s = 0; s < steps; s++) {
      const w = batch();
      const t0 = performance.now();
      const info = await tf.profile(() => {
        trainStep(c.spec, params, opt, w, c.seqLen, 1e-3);
        return [];
      });
      wall += performance.now() - t0;
      for (const k of info.kernels) {
        const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
        e.ms += k.kernelTimeMs as number;
        e.calls += 1;
        byKernel.set(k.name, e);
      }
    }
    const after = await nativeGemmPeak(1);
    if (after !== null) peak = Math.max(peak ?? 0, after);
    byKernel.delete(WRAPPER);
    const inKernels = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
    const products = [...byKernel.entries()].filter(([k]) => isProduct(k)).reduce((a, [, e]) => a + e.ms, 0);
    console.log(`\n${c.name} (batch ${c.batch} x ${c.seqLen}, one thread, ${backend.name})`);
    console.log(
      `step ${(wall / steps).toFixed(1)} ms (profiled), kernels ${(inKernels / steps).toFixed(1)} ms`,
    );
    console.log('| kernel | share of step | calls per step | ms per step |\n|---|---|---|---|');
    const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
    for (const [name, e] of rows.slice(0, 14))
      console.log(
        `| ${name} | ${((100 * e.ms) / wall).toFixed(1)}% | ${e.calls / steps} | ${(e.ms / steps).toFixed(2)} |`,
      );
    console.log(
      `| (outside kernels: JS, tape, allocation) | ${((100 * (wall - inKernels)) / wall).toFixed(1)}% | | ${((wall - inKernels) / steps).toFixed(2)} |`,
    );
    // FLOP/s of the step and of its products alone, as fractions of the one-thread peak.
    const flops = trainFlops(c) * c.batch;
    const rate = (ms: number) => flops / (ms / steps) / 1e6; // GFLOP/s
    const ofPeak = (ms: number) => (peak ? ` = ${((100 * rate(ms)) / peak).toFixed(0)}% of peak` : '');
    console.log(
      `\n${(flops / 1e9).toFixed(3)} GFLOP per step; one-thread sgemm peak ${peak?.toFixed(0) ?? '-'} GFLOP/s\n` +
        `step: ${(wall / steps).toFixed(1)} ms, ${rate(wall).toFixed(0)} GFLOP/s${ofPeak(wall)}\n` +
        `products (${[...byKernel.keys()].filter(isProduct).join(', ')}): ${(products / steps).toFixed(1)} ms ` +
        `(${((100 * products) / wall).toFixed(0)}% of the step), ${rate(products).toFixed(0)} GFLOP/s${ofPeak(products)}: ` +
        `the ceiling if nothing else took time\n` +
        `other kernels ${((inKernels - products) / steps).toFixed(1)} ms, outside kernels ${((wall - inKernels) / steps).toFixed(1)} ms`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
