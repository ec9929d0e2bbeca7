import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { decodeState, STATE_FILE } from '../../training/checkpoint';
import { train, type TrainConfig } from '../../training/loop';
import { makeSpec } from '../../training/models/spec';
import { maxAbsDiff } from '../helpers/export';

const config = (steps: number, checkpointEvery: number): TrainConfig => ({
  name: 'resume-test',
  arch: makeSpec('conv-attn', { d_model: 16, max_seq: 16 }),
  task: { name: 'text' },
  seed: 4,
  steps,
  batch: 4,
  seqLen: 16,
  lr: 1e-2,
  warmup: 0.1,
  weightDecay: 0.01,
  evalEvery: 4,
  checkpointEvery,
  valBatches: 2,
});

const fresh = () => mkdtempSync(path.join(tmpdir(), 'smallscope-resume-'));
const state = (dir: string) => decodeState(readFileSync(path.join(dir, STATE_FILE)), 'state');

describe('--resume', () => {
  it('N steps straight and N/2 + resume N/2 with the same seed end with the same loss (1e-5) and weights', async () => {
    const straightDir = fresh();
    const straight = await train(config(8, 8), { out: straightDir, resume: false, progress: 'quiet' });

    const splitDir = fresh();
    const half = await train(config(8, 4), { out: splitDir, resume: false, progress: 'quiet', stopAfter: 4 });
    expect(half.steps).toBe(4);
    const resumed = await train(config(8, 4), { out: splitDir, resume: true, progress: 'quiet' });

    expect(resumed.steps).toBe(8);
    expect(Math.abs(resumed.loss - straight.loss)).toBeLessThan(1e-5);
    expect(Math.abs(resumed.val_loss - straight.val_loss)).toBeLessThan(1e-5);
    const a = state(straightDir);
    const b = state(splitDir);
    for (const name of Object.keys(a.params))
      expect(maxAbsDiff(a.params[name], b.params[name])).toBeLessThan(1e-6);
    expect(b.history.map((h) => h.step)).toEqual([4, 8]);
  });

  it('refuses to start a new run into a folder that holds a checkpoint, and to resume from an empty one', async () => {
    const dir = fresh();
    await train(config(2, 2), { out: dir, resume: false, progress: 'quiet' });
    const before = readFileSync(path.join(dir, STATE_FILE));
    await expect(train(config(2, 2), { out: dir, resume: false, progress: 'quiet' })).rejects.toThrow(
      UsageError,
    );
    expect(Buffer.compare(readFileSync(path.join(dir, STATE_FILE)), before)).toBe(0);
    await expect(train(config(2, 2), { out: fresh(), resume: true, progress: 'quiet' })).rejects.toThrow(
      /no checkpoint/,
    );
  });
});
