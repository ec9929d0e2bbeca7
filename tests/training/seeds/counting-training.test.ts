import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { train } from '../../../training/loop';
import { configFromOptions } from '../../../training/run_config';
import { countingCompositions, type CountingConfig } from '../../../training/tasks/counting';
import { runOnnx } from '../../helpers/export';

/**
 * Seed 004 trains to counts: a short run of the seed's model (hidden 64, batch 100, Adam without weight decay,
 * self-attention) at lr 3e-2, 500 steps, cosine without warmup, about 20 s here. Scored exactly over all 286
 * compositions of blanks and letters (the model has no position information, so every ordering of the same
 * counts gets the same answer), weighted by their probability under the sampler.
 *
 * Measured with the same flags and the same scoring (bench/counting-exact): this model 20.4% of the output
 * steps wrong after 500 steps (13-36% per step); the pre-#19 model (separate W_K / W_V, no LayerNorm, self
 * attention without residual, queries N(0, 1)) 69.2% (66-72% per step). Exact counts need longer: 0.08% wrong after 5,000 steps at the seed's lr 1e-2, every
 * remaining error on an input where one symbol fills 7 or more of the 10 positions (docs/reproduction.md).
 */
describe('seed 004: a short training run counts', () => {
  it('500 steps leave under 30% of the output steps wrong, each step under 45% (the pre-#19 model: 69%, 66-72%)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'smallscope-count-train-')), 'run');
    const cfg = configFromOptions({
      task: 'counting',
      arch: 'counting',
      out,
      seqLen: 128,
      dModel: 64,
      heads: 1,
      batch: 100,
      steps: 500,
      lr: 3e-2,
      warmup: 0,
      schedule: 'cosine',
      weightDecay: 0,
      seed: 1,
      selfAttn: true,
      valBatches: 1,
      evalEvery: 500,
    });
    await train(cfg, { out, resume: false, progress: 'quiet' });
    const task = cfg.task as CountingConfig;
    const all = countingCompositions(task);
    const model = new Uint8Array(readFileSync(join(out, 'model.onnx')));
    const logits = (
      await runOnnx(
        model,
        all.map((c) => Array.from(c.input, (ch) => ch.charCodeAt(0))),
      )
    ).logits; // [286, 4, 11]
    const perStep = [0, 0, 0, 0];
    all.forEach(({ p, target }, b) => {
      for (let s = 0; s < 4; s++) {
        const row = Array.from(logits.subarray((b * 4 + s) * 11, (b * 4 + s + 1) * 11));
        if (row.indexOf(Math.max(...row)) !== target[s]) perStep[s] += p;
      }
    });
    const wrong = perStep.reduce((a, b) => a + b, 0) / 4;
    expect(wrong).toBeLessThan(0.3);
    // Every step learns, the difference included (here 36%, the hardest).
    for (const w of perStep) expect(w).toBeLessThan(0.45);
  }, 180_000);
});
