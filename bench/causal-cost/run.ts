/**
 * bench/causal-cost: what ablating every head costs, as a ratio to one plain forward of the same model and
 * tokens, measured in the same run (issue 17, item 6: at most H + 1 forwards). A benchmark, not a test.
 *
 * For each model, `ablateHeads` over all heads, zero and mean mode (the clean run, then every head's copy of
 * the input gated, in rows of as few runs as the memory budget allows), with every run of it paired with two
 * reference forwards run just before it and timed apart: the file as exported, logits fetched (the plain
 * forward), and the same ungated graph returning only what an ablation run returns, the next tokens'
 * log-probabilities computed in the graph (with a 50,257-token vocabulary, fetching the logits is a third of a
 * forward). The ratios are the ablation's own time (the references' taken out) over the mean reference run;
 * medians over --reps. The time inside the runner's runs (ORT, feeds, output copies) is given apart, the rest
 * being the probe's own work. Models: the two demo checkpoints and the GPT-2 style fixture at --tokens tokens,
 * and bench/large-model's 8 x 16 = 128-head GPT-2 (d_model 512, vocabulary 50,257, random weights; made by
 * bench/large-model/make.py into --out when missing, ~1 min, 310 MB, not committed) at 256 tokens.
 *
 *   npx tsx bench/causal-cost/run.ts [--tokens 256] [--reps 5] [--large-reps 1] [--out DIR] [--skip-large] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findAttention } from '../../probes/attention';
import { ablateHeads, type AblationMode } from '../../probes/causal/ablate';
import { prepareCausal } from '../../probes/causal/causal-model';
import { cleanRun } from '../../probes/causal/clean-run';
import { appendReadouts } from '../../probes/onnx/readout-surgery';
import { tokenInputName } from '../../format/feeds';
import { vocabSize } from '../../probes/onnx/embedding';
import { mulberry32 } from '../../probes/inputs/prng';
import type { Runner } from '../../probes/runner';
import { createNodeRunner } from '../../runtime/node/ort-node';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    tokens: { type: 'string', default: '256' },
    reps: { type: 'string', default: '3' },
    out: { type: 'string', default: '/tmp/smallscope-large-model' },
    'skip-large': { type: 'boolean', default: false },
    'large-reps': { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});
const T = Number(opts.tokens);
const REPS = Number(opts.reps);

const models = [
  {
    name: 'demo Conv-Attn (generated corpus)',
    file: join(ROOT, 'static/checkpoints/conv-attn-generated.onnx'),
    tokens: T,
    reps: REPS,
  },
  {
    name: 'demo Attn-Attn (generated corpus)',
    file: join(ROOT, 'static/checkpoints/attn-attn-generated.onnx'),
    tokens: T,
    reps: REPS,
  },
  {
    name: 'demo Conv-Attn (Brown, d_model 384)',
    file: join(ROOT, 'static/checkpoints/conv-attn.onnx'),
    tokens: T,
    reps: REPS,
  },
  {
    name: 'demo Attn-Attn (Brown, d_model 384)',
    file: join(ROOT, 'static/checkpoints/attn-attn.onnx'),
    tokens: T,
    reps: REPS,
  },
  // at most 128 tokens: its position table
  {
    name: 'GPT-2 style fixture',
    file: join(ROOT, 'tests/fixtures/pytorch-gpt2/gpt2.onnx'),
    tokens: Math.min(T, 128),
    reps: REPS,
  },
];
if (!opts['skip-large']) {
  const large = join(opts.out!, 'large.onnx');
  if (!existsSync(large)) {
    console.error(`generating the 128-head model into ${opts.out} (PyTorch, ~1 min) ...`);
    const r = spawnSync('/usr/bin/python3', [join(ROOT, 'bench/large-model/make.py'), opts.out!], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  models.push({
    name: '128 heads (bench/large-model)',
    file: large,
    tokens: 256,
    reps: Number(opts['large-reps']),
  });
}

/**
 * The gated runner, each of its runs preceded by one run of every reference (a plain forward, a forward
 * returning only the log-probabilities), timed apart: on a shared machine the load drifts over the minutes
 * an all-head ablation of a large model takes, and a reference taken next to each run sees the same load.
 */
function paired(r: Runner, refs: (() => Promise<unknown>)[]) {
  const state = { ms: 0, ref: refs.map(() => 0), n: 0 };
  const runner: Runner = {
    outputNames: r.outputNames,
    async run(...args: Parameters<Runner['run']>) {
      for (let k = 0; k < refs.length; k++) state.ref[k] += await timed(refs[k]);
      state.n++;
      const t0 = performance.now();
      const out = await r.run(...args);
      state.ms += performance.now() - t0;
      return out;
    },
    dispose: r.dispose?.bind(r),
  };
  return { runner, state };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

console.log(
  `CPU: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores; onnxruntime-node, default threads`,
);
const rows: Record<string, unknown>[] = [];
for (const m of models) {
  const bytes = new Uint8Array(readFileSync(m.file));
  const found = findAttention(bytes);
  const vocab = vocabSize(found.model) ?? 256;
  const causal = prepareCausal(found, vocab);
  const plain = await createNodeRunner(found.model, bytes);
  // the same model ungated, returning what an ablation run returns: the next tokens' log-probabilities
  const ro = appendReadouts(found.model, bytes, tokenInputName(found.model.inputs)!, causal.logits);
  const readout = await createNodeRunner(found.model, ro.bytes);
  const gated = await createNodeRunner(found.model, causal.bytes);
  const rand = mulberry32(17);
  const tokens = [Array.from({ length: m.tokens }, () => Math.floor(rand() * vocab))];
  await plain.run(tokens, [causal.logits]); // warm-up: the first run allocates
  await readout.run(tokens, [ro.nextLogprob]);
  const H = (await cleanRun(gated, causal, tokens)).layouts.reduce((n, l) => n + (l?.heads ?? 0), 0);
  const refs = [() => plain.run(tokens, [causal.logits]), () => readout.run(tokens, [ro.nextLogprob])];
  const samples: Record<string, number[]> = {};
  const add = (k: string, v: number) => (samples[k] ??= []).push(v);
  let runs = 0;
  let copies = 0;
  for (let i = 0; i < m.reps; i++)
    for (const mode of ['zero', 'mean'] as AblationMode[]) {
      const { runner, state } = paired(gated, refs);
      const total = await timed(
        async () => ({ runs, copies_per_run: copies } = await ablateHeads(runner, causal, tokens, { mode })),
      );
      const ablation = total - state.ref[0] - state.ref[1]; // the references' time taken out
      add(`${mode}_ratio`, ablation / (state.ref[0] / state.n));
      add(`${mode}_ort_ratio`, state.ms / (state.ref[0] / state.n));
      add(`${mode}_per_readout_forward`, ablation / (state.ref[1] / state.n));
      add(`${mode}_ms`, ablation);
      add('forward_ms', state.ref[0] / state.n);
      add('readout_forward_ms', state.ref[1] / state.n);
    }
  const row: Record<string, unknown> = {
    model: m.name,
    tokens: m.tokens,
    heads: H,
    runs,
    copies_per_run: copies,
  };
  for (const [k, v] of Object.entries(samples)) row[k] = median(v);
  rows.push(row);
  const f = (k: string, d = 1) => (row[k] as number).toFixed(d);
  console.log(
    `${m.name.padEnd(30)} ${String(H).padStart(3)} heads, ${m.tokens} tokens, ${runs} runs of up to ${copies} copies: ` +
      `forward ${f('forward_ms')} ms (returning only the log-probabilities ${f('readout_forward_ms')} ms); ` +
      `all heads zero ${f('zero_ms', 0)} ms = ${f('zero_ratio')} forwards (in ORT ${f('zero_ort_ratio')}; ${f('zero_per_readout_forward')} of the second kind), ` +
      `mean ${f('mean_ms', 0)} ms = ${f('mean_ratio')} (in ORT ${f('mean_ort_ratio')}; ${f('mean_per_readout_forward')}); H + 1 = ${H + 1}`,
  );

  await plain.dispose?.();
  await readout.dispose?.();
  await gated.dispose?.();
}
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ cpu: cpus()[0]?.model, rows }, null, 1)}\n`);
