/**
 * bench/counting-exact: how exact a seed-004 counting checkpoint's counts are on fresh samples. Draws N inputs
 * with the training task's own sampler (training/tasks/counting.ts, a stream no run trains or validates on),
 * runs the ONNX checkpoint with onnxruntime-node and compares the argmax of `logits` [batch, out_steps,
 * classes] with the true counts and difference. Not a test: the numbers of docs/reproduction.md "Seed 004".
 *
 *   npx tsx bench/counting-exact/run.ts MODEL.onnx... [--n 10000] [--seed 12345]
 *
 * Prints one JSON line per model: output steps wrong %, samples with a wrong step %, each step's wrong %.
 *
 * The model has no position information, so its answer depends only on how many blanks and letters the input
 * holds: with 3 letters and 10 positions, 286 compositions. `exhaustive` runs one input of each and weighs it
 * by its probability under the sampler (multinomial, blank p, each letter (1-p)/letters): the exact expected
 * error rates, and how many compositions are wrong at all (`compositions_wrong`, with the least likely one's
 * probability), which sampling cannot resolve.
 */
import { decodeModel } from '../../format/onnx/model';
import { readModelFile } from '../../bin/model/files';
import type { Runner } from '../../probes/runner';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { countingCompositions, countingSample, type CountingConfig } from '../../training/tasks/counting';
import { Rng } from '../../training/random';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(args.splice(i, 2)[1]);
  return v;
};
const N = flag('--n', 10_000);
const SEED = flag('--seed', 12_345);
const CHUNK = 1_000;

async function measure(file: string) {
  const model = decodeModel(readModelFile(file));
  const m = model.manifest;
  if (m?.arch.kind !== 'counting' || m.task.name !== 'counting')
    throw new Error(`${file} is not a counting checkpoint`);
  const task = m.task as unknown as CountingConfig;
  const S = m.arch.out_steps;
  const runner = await createNodeRunner(model, model.bytes);
  const rng = new Rng(SEED);
  const wrongPerStep = new Array<number>(S).fill(0);
  let wrongSamples = 0;
  for (let done = 0; done < N; done += CHUNK) {
    const samples = Array.from({ length: Math.min(CHUNK, N - done) }, () => countingSample(task, rng));
    const tokens = samples.map((s) => Array.from(s.input, (c) => c.charCodeAt(0)));
    const logits = (await runner.run(tokens, ['logits'])).logits; // [batch, out_steps, classes]
    const K = logits.dims[2];
    samples.forEach((s, b) => {
      let any = false;
      for (let i = 0; i < S; i++) {
        const row = logits.data.subarray((b * S + i) * K, (b * S + i + 1) * K);
        const pred = row.indexOf(Math.max(...row));
        if (pred !== s.target[i]) (wrongPerStep[i]++, (any = true));
      }
      if (any) wrongSamples++;
    });
  }
  const exhaustive = await allCompositions(runner, task, S);
  await runner.dispose?.();
  const pct = (x: number, n: number) => Number(((100 * x) / n).toFixed(3));
  const wrong = wrongPerStep.reduce((a, b) => a + b, 0);
  return {
    model: file,
    self_attn: m.arch.self_attn,
    steps: m.step,
    samples: N,
    steps_wrong_pct: pct(wrong, N * S),
    samples_wrong_pct: pct(wrongSamples, N),
    per_step_wrong_pct: wrongPerStep.map((w) => pct(w, N)),
    exhaustive,
  };
}

/** One input per composition (training/tasks/counting.ts), its error weighted by its probability. */
async function allCompositions(runner: Runner, task: CountingConfig, S: number) {
  const all = countingCompositions(task);
  const tokens = all.map((c) => Array.from(c.input, (ch) => ch.charCodeAt(0)));
  const logits = (await runner.run(tokens, ['logits'])).logits; // [compositions, out_steps, classes]
  const K = logits.dims[2];
  let wrongSteps = 0;
  let wrongSamples = 0;
  let wrongCompositions = 0;
  let leastLikely = 1;
  const perStep = new Array<number>(S).fill(0);
  all.forEach(({ p, target }, b) => {
    let any = false;
    for (let i = 0; i < S; i++) {
      const row = logits.data.subarray((b * S + i) * K, (b * S + i + 1) * K);
      if (row.indexOf(Math.max(...row)) !== target[i])
        ((perStep[i] += p), (wrongSteps += p / S), (any = true));
    }
    if (any) ((wrongSamples += p), wrongCompositions++, (leastLikely = Math.min(leastLikely, p)));
  });
  const pct = (x: number) => Number((100 * x).toPrecision(3));
  return {
    compositions: all.length,
    compositions_wrong: wrongCompositions,
    least_likely_wrong: wrongCompositions > 0 ? Number(leastLikely.toPrecision(3)) : null,
    steps_wrong_pct: pct(wrongSteps),
    samples_wrong_pct: pct(wrongSamples),
    per_step_wrong_pct: perStep.map(pct),
  };
}

for (const file of args) console.log(JSON.stringify(await measure(file)));
