/**
 * bench/train-throughput/profile.ts: where one smallscope training step spends its time, per tfjs kernel
 * (one thread, after warm-up). Prints, for the chosen configuration of bench.ts, each kernel's share of the
 * step, its calls and its total milliseconds, and the share spent outside kernels (JS: tape, gradient
 * bookkeeping, optimizer loop, allocation). Not a test.
 * Usage: npx tsx bench/train-throughput/profile.ts "<configuration name filter>" [steps=5]
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../training/backend';
import { initParams } from '../../training/models/params';
import { AdamW } from '../../training/optim/adamw';
import { Rng } from '../../training/random';
import { trainStep } from '../../training/step';
import { benchConfigs } from './configs';

process.env.SMALLSCOPE_THREADS = '1';
const filter = process.argv[2] ?? '';
const steps = Number(process.argv[3] ?? 5);

async function main() {
  const backend = await initBackend();
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
    const inKernels = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
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
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
