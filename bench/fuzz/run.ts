/**
 * bench/fuzz: mutated ONNX files (tests/reliability/mutate.ts) through every probe and the page's loader,
 * at depth. Each case is the seed-th mutation of one seed model (bench/fuzz/seeds.ts); it runs the static
 * probes and the page's loader in this process (exercise.ts), then the probes that need ONNX Runtime in a
 * child process (ort-worker.ts), which is restarted when it crashes or passes the hang limit. Goal: 0 hangs,
 * 0 crashes, 0 throws that are not a UsageError, every case under --case-ms of CPU time (both processes), and neither process more than
 * --case-mb above its baseline (its resident memory after the unmutated seeds ran once: code, ORT, tfjs).
 *
 * Usage: node --import tsx bench/fuzz/run.ts [--cases 100000] [--start 0] [--out DIR] [--case-ms 2000]
 *        [--case-mb 256] [--hang-ms 20000] [--no-ort]
 * Prints a progress line every 1000 cases and a JSON summary at the end; each failing case is written to
 * DIR/case-<seed>.onnx with DIR/failures.jsonl (seed, kind, what, message). Exit 1 when any case failed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mutate } from '../../tests/reliability/mutate';
import { pageLoader, staticProbes } from './exercise';
import { loadSeeds } from './seeds';

const { values: opt } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    start: { type: 'string', default: '0' },
    out: { type: 'string', default: join(tmpdir(), 'smallscope-fuzz') },
    'case-ms': { type: 'string', default: '2000' },
    'case-mb': { type: 'string', default: '256' },
    'hang-ms': { type: 'string', default: '20000' },
    'no-ort': { type: 'boolean', default: false },
  },
});
const CASES = Number(opt.cases);
const START = Number(opt.start);
const CASE_MS = Number(opt['case-ms']);
const CASE_BYTES = Number(opt['case-mb']) * 2 ** 20;
const HANG_MS = Number(opt['hang-ms']);
const OUT = opt.out!;
mkdirSync(OUT, { recursive: true });

interface Reply {
  id: number;
  result: 'ok' | 'refused' | 'throw';
  error: string | null;
  ms: number;
  /** CPU time of the case in the worker (user + system, all its threads), ms */
  cpuMs: number;
  rss: number;
}

/** The ONNX Runtime child: one case at a time, restarted after a crash or a hang. */
class Worker {
  #child: ChildProcess | null = null;
  #ready: Promise<void> | null = null;
  start(): Promise<void> {
    this.#child = fork(new URL('./ort-worker.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // Anything the worker prints on stderr (ORT's own log included) is a finding: keep it for the summary.
    this.#child.stderr!.on('data', (d: Buffer) => (stderrBytes += d.length));
    const child = this.#child;
    this.#ready = new Promise((resolve) => child.once('message', () => resolve()));
    return this.#ready;
  }
  async run(id: number, bytes: Uint8Array): Promise<Reply | { result: 'hang' | 'crash'; ms: number }> {
    if (!this.#child) await this.start();
    const child = this.#child!;
    const t0 = performance.now();
    return new Promise((resolve) => {
      const done = (r: Reply | { result: 'hang' | 'crash'; ms: number }) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(r);
      };
      const onMessage = (m: Reply) => m.id === id && done(m);
      const onExit = () => {
        this.#child = null;
        done({ result: 'crash', ms: performance.now() - t0 });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.#child = null;
        done({ result: 'hang', ms: performance.now() - t0 });
      }, HANG_MS);
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ id, bytes });
    });
  }
  stop() {
    this.#child?.kill();
  }
}

let stderrBytes = 0;
const mib = (b: number) => Math.round(b / 2 ** 20);
const seeds = await loadSeeds();
const worker = opt['no-ort'] ? null : new Worker();
if (worker) await worker.start();
// Warm-up: every seed as it is, through both processes; what they hold then (code, ORT, tfjs for the seed
// checkpoint) is the baseline a case's memory is measured from.
let baseWorker = 0;
for (const [i, seed] of seeds.entries()) {
  await pageLoader(seed.bytes);
  await staticProbes(seed.bytes);
  const r = worker ? await worker.run(-1 - i, seed.bytes) : null;
  if (r && 'rss' in r) baseWorker = Math.max(baseWorker, r.rss);
}
const baseMain = process.memoryUsage().rss;
const counts: Record<string, number> = { ok: 0, refused: 0 };
const failures: { seed: number; kind: string; base: string; what: string; message: string }[] = [];
let slowest = { ms: 0, seed: -1, kind: '', base: '' };
let slowestWall = 0;
let peakMain = 0;
let peakWorker = 0;
const t0 = performance.now();

function fail(seed: number, kind: string, base: string, bytes: Uint8Array, what: string, message: string) {
  const f = { seed, kind, base, what, message: message.slice(0, 2000) };
  failures.push(f);
  appendFileSync(join(OUT, 'failures.jsonl'), `${JSON.stringify(f)}\n`);
  writeFileSync(join(OUT, `case-${seed}.onnx`), bytes);
}

for (let i = START; i < START + CASES; i++) {
  const base = seeds[i % seeds.length];
  const donor = seeds[Math.floor(i / seeds.length) % seeds.length];
  const { kind, bytes } = mutate(base.bytes, donor.bytes, i);
  const c0 = performance.now();
  const cpu0 = process.cpuUsage();
  let outcome = 'ok';
  try {
    const a = await pageLoader(bytes);
    const b = await staticProbes(bytes);
    if (a === 'refused' || b === 'refused') outcome = 'refused';
  } catch (e) {
    fail(i, kind, base.name, bytes, 'static throw', (e as Error)?.stack ?? String(e));
    outcome = 'failed';
  }
  const staticMs = performance.now() - c0;
  const staticCpu = process.cpuUsage(cpu0);
  const staticCpuMs = (staticCpu.user + staticCpu.system) / 1000;
  let ortMs = 0;
  let ortCpuMs = 0;
  if (worker) {
    const r = await worker.run(i, bytes);
    ortMs = r.ms;
    ortCpuMs = 'cpuMs' in r ? r.cpuMs : r.ms;
    if ('rss' in r) peakWorker = Math.max(peakWorker, r.rss);
    if (r.result === 'hang' || r.result === 'crash') {
      fail(
        i,
        kind,
        base.name,
        bytes,
        `ort ${r.result}`,
        `the worker ${r.result === 'hang' ? `gave no answer in ${HANG_MS} ms` : 'died'}`,
      );
      outcome = 'failed';
      await worker.start();
    } else if (r.result === 'throw') {
      fail(i, kind, base.name, bytes, 'ort throw', (r as Reply).error ?? '');
      outcome = 'failed';
    } else if (r.result === 'refused' && outcome === 'ok') outcome = 'refused';
    if ('rss' in r && r.rss - baseWorker > CASE_BYTES)
      fail(i, kind, base.name, bytes, 'memory', `worker rss ${mib(r.rss)} MiB, baseline ${mib(baseWorker)}`);
  }
  // CPU time, not wall time: the machine is shared (load averages of 8 on 2 cores), and a case's cost is what
  // it computes. A hang still shows as the worker passing --hang-ms of wall time.
  const ms = staticCpuMs + ortCpuMs;
  if (ms > slowest.ms) slowest = { ms, seed: i, kind, base: base.name };
  slowestWall = Math.max(slowestWall, staticMs + ortMs);
  if (ms > CASE_MS)
    fail(
      i,
      kind,
      base.name,
      bytes,
      'slow',
      `${ms.toFixed(0)} ms of CPU (static ${staticCpuMs.toFixed(0)}, ort ${ortCpuMs.toFixed(0)}; wall ${(staticMs + ortMs).toFixed(0)})`,
    );
  counts[outcome] = (counts[outcome] ?? 0) + 1;
  const rss = process.memoryUsage().rss;
  peakMain = Math.max(peakMain, rss);
  if (rss - baseMain > CASE_BYTES)
    fail(i, kind, base.name, bytes, 'memory', `main rss ${mib(rss)} MiB, baseline ${mib(baseMain)}`);
  const done = i - START + 1;
  if (done % 1000 === 0 || done === CASES) {
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${new Date().toISOString()} ${done}/${CASES} cases, ${(done / s).toFixed(1)}/s; ok ${counts.ok}, refused ${counts.refused}, failed ${failures.length}; ` +
        `slowest ${slowest.ms.toFixed(0)} ms CPU (seed ${slowest.seed}, ${slowest.kind} of ${slowest.base}); ` +
        `(wall ${slowestWall.toFixed(0)} ms); peak rss main ${mib(peakMain)} MiB (baseline ${mib(baseMain)}), ort worker ${mib(peakWorker)} MiB (baseline ${mib(baseWorker)}); ` +
        `worker stderr ${stderrBytes} bytes`,
    );
  }
}
worker?.stop();
const seconds = (performance.now() - t0) / 1000;
const cpu = execSync("lscpu | sed -n 's/^Model name: *//p'", { encoding: 'utf8' }).trim();
const summary = {
  cases: CASES,
  start: START,
  seeds: seeds.map((s) => `${s.name} (${s.bytes.length} bytes)`),
  seconds: Math.round(seconds),
  cases_per_s: Number((CASES / seconds).toFixed(1)),
  counts,
  failures: failures.length,
  failure_kinds: failures.reduce<Record<string, number>>(
    (a, f) => ((a[f.what] = (a[f.what] ?? 0) + 1), a),
    {},
  ),
  slowest_cpu: { ...slowest, ms: Math.round(slowest.ms) },
  slowest_wall_ms: Math.round(slowestWall),
  peak_rss_mib: { main: mib(peakMain), ort_worker: mib(peakWorker) },
  baseline_rss_mib: { main: mib(baseMain), ort_worker: mib(baseWorker) },
  worker_stderr_bytes: stderrBytes,
  cpu,
  node: process.version,
};
console.log(JSON.stringify(summary));
writeFileSync(join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 1)}\n`);
process.exit(failures.length > 0 ? 1 : 0);
