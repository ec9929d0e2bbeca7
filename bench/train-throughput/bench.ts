/**
 * bench/train-throughput: training samples/s of smallscope (tfjs wasm backend, data-parallel over worker
 * threads) and of a PyTorch reference (Debian python3-torch, a warm worker process) on the same
 * configurations, batch, sequence length and machine. Each round runs one timed block of `steps` optimizer
 * steps per configuration on each side, alternating (smallscope, PyTorch, smallscope, ...); the table gives
 * medians over rounds and the ratio of the medians measured in this run. Not a test.
 *
 * The reference is PyTorch as its users run it (issue #18): OpenBLAS behind libblas.so.3 (the bench stops when
 * the worker's process maps another BLAS), contiguous attention operands, denormals flushed (torch_worker.py).
 * Beside the throughput, each side's achieved FLOP/s (flops.ts: products and convolutions of forward + backward,
 * counted from the shapes) as a fraction of the machine's sgemm peak measured in the same run at the side's thread
 * count: the better of OpenBLAS (torch.mm) and smallscope's native GEMM, each at its best over PEAK_SHAPES.
 * Usage: [BENCH_SIMD=avx2] bash bench/train-throughput/run.sh [rounds=5] [steps=4] [threads=2] [filter]
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../training/backend';
import { nativeMatMul } from '../../training/kernels/native';
import { disposeParams, initParams, paramCount } from '../../training/models/params';
import { AdamW } from '../../training/optim/adamw';
import { threadsFor } from '../../training/parallel/pool';
import { Rng } from '../../training/random';
import { trainStep } from '../../training/step';
import { benchConfigs, type Config } from './configs';
import { trainFlops } from './flops';
import { nativeGemmPeak, PEAK_SHAPES } from './gemm-peak';

const ref = fileURLToPath(new URL('../../tests/fixtures/pytorch', import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const steps = Number(process.argv[3] ?? 4);
const threads = Number(process.argv[4] ?? 2);
const filter = process.argv[5] ?? '';
// threads = 1 forces one thread; otherwise smallscope picks its own count (cores, and one thread for steps too
// small to split: training/parallel/pool.ts), as `smallscope train` does.
if (threads === 1) process.env.SMALLSCOPE_THREADS ??= '1';
// BENCH_SIMD=avx2: both sides on their AVX2 kernels, to measure on an AVX-512 machine what an AVX2-only machine
// runs: smallscope's 6 x 16 micro-kernel (SMALLSCOPE_SIMD; set before the addon loads, it picks once);
// OpenBLAS's Haswell kernels (OPENBLAS_CORETYPE) and oneDNN's AVX2 code (ONEDNN_MAX_CPU_ISA: PyTorch runs its
// convolutions on oneDNN, not on the BLAS, and oneDNN would otherwise JIT AVX-512 kernels here).
const level = process.env.BENCH_SIMD;
if (level) process.env.SMALLSCOPE_SIMD = level;
const torchEnv =
  level === 'avx2'
    ? { ...process.env, OPENBLAS_CORETYPE: 'Haswell', ONEDNN_MAX_CPU_ISA: 'AVX2', DNNL_MAX_CPU_ISA: 'AVX2' }
    : process.env;

const configs: Config[] = benchConfigs().filter((c) => c.name.includes(filter));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const backend = await initBackend();
  const py = spawn(
    process.env.PYTHON ?? '/usr/bin/python3',
    [fileURLToPath(new URL('torch_worker.py', import.meta.url)), ref, String(threads)],
    { stdio: ['pipe', 'pipe', 'inherit'], env: torchEnv },
  );
  const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
  const ask = async (msg: unknown) => {
    if (msg !== null) py.stdin!.write(`${JSON.stringify(msg)}\n`);
    return JSON.parse((await lines.next()).value as string);
  };
  const info = await ask(null);
  const blas: string[] = info.blas;
  if (!blas.some((p) => /openblas/i.test(p))) {
    console.error(
      `PyTorch's BLAS is not OpenBLAS (${blas.join(', ') || 'none mapped'}): the reference would be handicapped.\n` +
        'Install it (apt-get install libopenblas0-pthread) or select it: update-alternatives --config libblas.so.3-x86_64-linux-gnu',
    );
    process.exit(1);
  }
  if (info.blas_threads !== info.threads) {
    console.error(
      `OpenBLAS runs ${info.blas_threads} threads where PyTorch was given ${info.threads}: the reference would not run on the bench's thread count`,
    );
    process.exit(1);
  }
  // sgemm peak, both libraries, 1 and 2 threads: measured before the training blocks and again after every
  // round, and taken as the median of those samples, so that a machine whose speed drifts during the run (a
  // shared host) is not compared against one lucky or unlucky moment.
  const peaks = { openblas: [[], []] as number[][], native: [[], []] as number[][] };
  const samplePeaks = async () => {
    for (const t of [1, 2]) {
      peaks.openblas[t - 1]!.push((await ask({ gemm: PEAK_SHAPES, threads: t })).gflops as number);
      const n = await nativeGemmPeak(t);
      if (n !== null) peaks.native[t - 1]!.push(n);
    }
  };
  await samplePeaks();
  const peakOf = (xs: number[]) => (xs.length ? median(xs) : null);
  // The machine's peak at t threads: the better library's. Both sides' FLOP rates are fractions of it, so a
  // library that is slow at sgemm here does not make its side's fraction look high.
  const machinePeak = (t: number) =>
    Math.max(peakOf(peaks.openblas[t - 1]!) ?? 0, peakOf(peaks.native[t - 1]!) ?? 0);

  const models = configs.map((c) => {
    const params = initParams(c.spec, new Rng(1));
    return { params, opt: new AdamW(params) };
  });
  const rng = new Rng(7);
  // CPU milliseconds per sample, all threads: less sensitive than wall time to other jobs on the machine.
  const cpuA: number[][] = configs.map(() => []);
  const ours = async (i: number, n: number) => {
    const c = configs[i];
    const { params, opt } = models[i];
    const batches = Array.from({ length: n }, () =>
      Int32Array.from({ length: c.batch * (c.seqLen + 1) }, () => rng.int(256)),
    );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const w of batches) trainStep(c.spec, params, opt, w, c.seqLen, 1e-3);
    const cpu = process.cpuUsage(cpu0); // all threads of this process, workers included
    cpuA[i]!.push((cpu.user + cpu.system) / 1000 / (n * c.batch));
    return (n * c.batch) / ((performance.now() - t0) / 1000);
  };
  // PyTorch at every thread count up to the bench's (its small models run slower on 2 threads than on 1: each
  // op pays OpenMP's fork-join); each configuration is compared with its faster count, as smallscope picks its
  // own (training/parallel/pool.ts).
  const torchThreads = Array.from({ length: threads }, (_, t) => t + 1);
  const byThreads: number[][][] = configs.map(() => torchThreads.map(() => []));
  const cpuByThreads: number[][][] = configs.map(() => torchThreads.map(() => []));
  const theirs = async (i: number, n: number) => {
    const c = configs[i];
    for (const [j, t] of torchThreads.entries()) {
      const r = await ask({
        config: { ...c.torch, batch: c.batch, seq_len: c.seqLen },
        steps: n,
        threads: t,
      });
      cpuByThreads[i]![j]!.push((r.cpu_seconds * 1000) / (n * c.batch));
      byThreads[i]![j]!.push((n * c.batch) / r.seconds);
    }
  };
  const a: number[][] = configs.map(() => []);
  for (let i = 0; i < configs.length; i++) {
    await ours(i, 2); // warm-up (worker start, XNNPACK operators, allocator)
    await theirs(i, 2);
  }
  cpuA.forEach((x) => x.splice(0));
  cpuByThreads.forEach((x) => x.forEach((y) => y.splice(0)));
  byThreads.forEach((x) => x.forEach((y) => y.splice(0)));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < configs.length; i++) {
      // alternate which side goes first, so neither always runs right after the other's block
      if (r % 2 === 0) {
        a[i].push(await ours(i, steps));
        await theirs(i, steps);
      } else {
        await theirs(i, steps);
        a[i].push(await ours(i, steps));
      }
    }
    await samplePeaks();
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }
  // PyTorch's side of each configuration: the thread count with the higher median.
  const theirBest = configs.map((_, i) => {
    const medians = byThreads[i]!.map(median);
    const j = medians.indexOf(Math.max(...medians));
    return { threads: torchThreads[j]!, samples: medians[j]!, cpu: median(cpuByThreads[i]![j]!) };
  });
  py.stdin!.end();
  models.forEach((m) => {
    m.opt.dispose();
    disposeParams(m.params);
  });

  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `train-throughput ${date}: ${cpus().length} x ${cpus()[0]?.model?.trim()}, node ${process.version}, ` +
      `smallscope ${backend.name}, data parallel over the threads column, ` +
      `PyTorch ${info.torch} on the faster of 1..${info.threads} threads (torch.set_num_threads, openblas_set_num_threads) on ${blas.find((p) => /libblas/.test(p)) ?? blas[0]}; ${rounds} rounds x ${steps} steps, medians`,
  );
  console.log(
    `GEMM kernels: smallscope ${nativeMatMul() ?? 'wasm (no native matmul)'}${level ? ` (BENCH_SIMD=${level})` : ''}, OpenBLAS ${info.blas_core ?? '?'}${level === 'avx2' ? ' (OPENBLAS_CORETYPE=Haswell), oneDNN at most AVX2 (ONEDNN_MAX_CPU_ISA=AVX2)' : ''}`,
  );
  // median (min-max) of the samples
  const g = (xs: number[]) =>
    xs.length
      ? `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`
      : '-';
  console.log(
    `sgemm peak (best of ${PEAK_SHAPES.map((s) => s.join('x')).join(', ')}; GFLOP/s, 1 / 2 threads, median ` +
      `(min-max) of ${rounds + 1} samples, before and after each round): ` +
      `OpenBLAS ${g(peaks.openblas[0]!)} / ${g(peaks.openblas[1]!)}, smallscope native ${g(peaks.native[0]!)} / ${g(peaks.native[1]!)}; ` +
      `fractions below are of the better median of the two at each side's thread count`,
  );
  console.log('');
  console.log(
    '| configuration | params | batch x seq | threads smallscope / PyTorch | smallscope samples/s | PyTorch samples/s | ratio | GFLOP/s smallscope / PyTorch | of sgemm peak smallscope / PyTorch | CPU ms/sample smallscope / PyTorch |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  configs.forEach((c, i) => {
    const x = median(a[i]);
    const { threads: torchBest, samples: y, cpu: theirCpu } = theirBest[i]!;
    const ourThreads = threadsFor(c.batch, c.seqLen, paramCount(c.spec));
    const fx = (x * trainFlops(c)) / 1e9;
    const fy = (y * trainFlops(c)) / 1e9;
    const ourPeak = machinePeak(Math.min(ourThreads, 2));
    const theirPeak = machinePeak(Math.min(torchBest, 2));
    const pct = (f: number, p: number | null) => (p ? `${((100 * f) / p).toFixed(0)}%` : '-');
    console.log(
      `| ${c.name} | ${paramCount(c.spec).toLocaleString('en-US')} | ${c.batch} x ${c.seqLen} | ${ourThreads} / ${torchBest} | ${x.toFixed(1)} | ${y.toFixed(1)} | ${(x / y).toFixed(2)} | ${fx.toFixed(1)} / ${fy.toFixed(1)} | ${pct(fx, ourPeak)} / ${pct(fy, theirPeak)} | ${median(cpuA[i]!).toFixed(2)} / ${theirCpu.toFixed(2)} |`,
    );
  });
  tf.disposeVariables();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
