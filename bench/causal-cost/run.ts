/**
 * bench/causal-cost: what ablating every head costs, as a ratio to one plain forward of the same model and
 * tokens, measured in the same run (issue 17, item 6: at most H + 1 forwards). A benchmark, not a test.
 *
 * For each model: one plain forward (the file as exported, logits fetched), and one returning only what an
 * ablation run returns (the next tokens' log-probabilities, computed in the graph: with a 50,257-token
 * vocabulary, fetching the logits is a third of a forward), each the mean of a sequence of runs, then
 * `ablateHeads` over all heads in zero and mean mode (the clean run, then every head's copy of the input gated
 * in rows of as few runs as the memory budget allows: median of --reps; the time inside the runner's runs
 * is also given apart, the rest being the probe's own work: gate inputs, copies, losses). Models: the two demo checkpoints and
 * the GPT-2 style fixture at --tokens tokens, and bench/large-model's 8 x 16 = 128-head GPT-2 (d_model 512,
 * vocabulary 50,257, random weights; made by bench/large-model/make.py into --out when missing, ~1 min, ~200
 * MB, not committed) at 256 tokens.
 *
 *   npx tsx bench/causal-cost/run.ts [--tokens 256] [--reps 3] [--large-reps 1] [--out DIR] [--skip-large] [--json FILE]
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
  { name: 'demo Conv-Attn', file: join(ROOT, 'static/checkpoints/conv-attn.onnx'), tokens: T, reps: REPS },
  { name: 'demo Attn-Attn', file: join(ROOT, 'static/checkpoints/attn-attn.onnx'), tokens: T, reps: REPS },
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

/** The runner, timing the time spent in its runs (ORT's forward, feeds and output copies) apart from the probe's own. */
function inOrt(r: Runner): Runner & { ms: number } {
  const timedRunner = {
    ms: 0,
    outputNames: r.outputNames,
    async run(...args: Parameters<Runner['run']>) {
      const t0 = performance.now();
      const out = await r.run(...args);
      timedRunner.ms += performance.now() - t0;
      return out;
    },
    dispose: r.dispose?.bind(r),
  };
  return timedRunner;
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
  const gated = inOrt(await createNodeRunner(found.model, causal.bytes));
  const rand = mulberry32(17);
  const tokens = [Array.from({ length: m.tokens }, () => Math.floor(rand() * vocab))];
  await plain.run(tokens, [causal.logits]); // warm-up: the first run allocates
  await readout.run(tokens, [ro.nextLogprob]);
  const H = (await cleanRun(gated, causal, tokens)).layouts.reduce((n, l) => n + (l?.heads ?? 0), 0);
  // One forward, sustained: the mean of a sequence of forwards (up to H + 1) measured in each rep next to the
  // ablations, so both see the same load (a lone short run on a busy machine is faster than runs in a row).
  const SEQ = Math.min(H + 1, 16);
  const samples: Record<string, number[]> = {
    forward: [],
    readout: [],
    zero: [],
    mean: [],
    zero_ort: [],
    mean_ort: [],
  };
  let runs = 0;
  let copies = 0;
  for (let i = 0; i < m.reps; i++) {
    const t = await timed(async () => {
      for (let k = 0; k < SEQ; k++) await plain.run(tokens, [causal.logits]);
    });
    samples.forward.push(t / SEQ);
    const r = await timed(async () => {
      for (let k = 0; k < SEQ; k++) await readout.run(tokens, [ro.nextLogprob]);
    });
    samples.readout.push(r / SEQ);
    for (const mode of ['zero', 'mean'] as AblationMode[]) {
      gated.ms = 0;
      samples[mode].push(
        await timed(
          async () => ({ runs, copies_per_run: copies } = await ablateHeads(gated, causal, tokens, { mode })),
        ),
      );
      samples[`${mode}_ort`].push(gated.ms);
    }
  }
  const forward = median(samples.forward);
  const readoutMs = median(samples.readout);
  const row: Record<string, unknown> = {
    model: m.name,
    tokens: m.tokens,
    heads: H,
    forward_ms: forward,
    zero_ms: median(samples.zero),
    zero_ratio: median(samples.zero) / forward,
    zero_ort_ratio: median(samples.zero_ort) / forward,
    mean_ms: median(samples.mean),
    mean_ratio: median(samples.mean) / forward,
    mean_ort_ratio: median(samples.mean_ort) / forward,
    readout_forward_ms: readoutMs,
    zero_per_readout_forward: median(samples.zero) / readoutMs,
    mean_per_readout_forward: median(samples.mean) / readoutMs,
    runs,
    copies_per_run: copies,
  };
  rows.push(row);
  console.log(
    `${m.name.padEnd(30)} ${String(row.heads).padStart(3)} heads, ${m.tokens} tokens: forward ${(row.forward_ms as number).toFixed(1)} ms; ` +
      `all heads zero ${(row.zero_ms as number).toFixed(0)} ms = ${(row.zero_ratio as number).toFixed(1)} forwards (in ORT ${(row.zero_ort_ratio as number).toFixed(1)}), ` +
      `mean ${(row.mean_ms as number).toFixed(0)} ms = ${(row.mean_ratio as number).toFixed(1)} (in ORT ${(row.mean_ort_ratio as number).toFixed(1)}) (H + 1 = ${(row.heads as number) + 1}; ` +
      `${row.runs} runs of up to ${row.copies_per_run} copies); per forward returning only the log-probabilities ` +
      `(${readoutMs.toFixed(1)} ms): zero ${(row.zero_per_readout_forward as number).toFixed(1)}, mean ${(row.mean_per_readout_forward as number).toFixed(1)}`,
  );
  await plain.dispose?.();
  await readout.dispose?.();
  await gated.dispose?.();
}
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ cpu: cpus()[0]?.model, rows }, null, 1)}\n`);
