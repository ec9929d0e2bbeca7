import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { setNativeKernels } from '../../../training/kernels/native';
import { alignedTrainStep } from '../../../training/losses';
import { threadsFor } from '../../../training/parallel/pool';
import { countingBatch } from '../../../training/tasks/counting-batches';
import { convStackSpec } from '../../../training/arch/conv-stack/spec';
import { disposeParams, initParams } from '../../../training/models/params';
import { makeSpec, type ArchSpec } from '../../../training/models/spec';
import { countingSpec } from '../../helpers/counting-spec';
import { AdamW, ADAMW_DEFAULTS } from '../../../training/optim/adamw';
import { Rng } from '../../../training/random';
import { evaluate, trainStep } from '../../../training/step';
import { loadTextTask, sampleWindows } from '../../../training/tasks/text';
import { describeBothPaths } from './modes';

/**
 * Training results do not change with the speed work. The reference numbers below were produced by the
 * pre-optimisation implementation (git 0452658: tf.matMul attention, tfjs's logSoftmax cross-entropy,
 * variableGrads in one tidy) with exactly this procedure: text task seed 7, init Rng(7), data Rng(123),
 * 20 AdamW steps (weight decay 0.01) of batch 8 x 32 positions at lr 3e-3, then one validation batch of
 * 8 windows drawn with Rng(5). Each step's loss must match within 1e-4 (float rounding differs: fused ops,
 * another summation order).
 */
const REF: Record<
  string,
  { spec: Partial<ArchSpec>; kind: 'conv-attn' | 'attn-attn'; losses: number[]; val: number }
> = {
  'conv-attn d=32': {
    kind: 'conv-attn',
    spec: {},
    losses: [
      5.541021, 5.499407, 5.472177, 5.451732, 5.380779, 5.360041, 5.318549, 5.261867, 5.185372, 5.115767,
      4.852015, 4.898649, 4.683522, 4.632486, 4.281867, 4.043185, 4.198808, 4.081685, 3.828466, 3.6672,
    ],
    val: 3.7712793350219727,
  },
  'attn-attn d=32': {
    kind: 'attn-attn',
    spec: {},
    losses: [
      5.606786, 5.582801, 5.513125, 5.548183, 5.427163, 5.426361, 5.332259, 5.273012, 5.203401, 5.20505,
      4.995269, 4.975153, 4.877704, 4.841313, 4.527151, 4.442886, 4.459408, 4.175751, 4.24684, 3.963235,
    ],
    val: 3.8704335689544678,
  },
  'conv-attn d=32, residual, pos_embed, 2 heads': {
    kind: 'conv-attn',
    spec: { residual: true, pos_embed: true, n_heads: 2 },
    losses: [
      6.130501, 5.953483, 5.963293, 5.825601, 5.693366, 5.536896, 5.497801, 5.26319, 5.12138, 4.98894,
      4.861769, 4.730354, 4.620106, 4.711564, 4.291003, 4.163436, 4.151993, 4.23084, 3.803419, 3.840827,
    ],
    val: 3.832113265991211,
  },
  'attn-attn d=32, residual, pos_embed, 4 heads': {
    kind: 'attn-attn',
    spec: { residual: true, pos_embed: true, n_heads: 4 },
    losses: [
      6.466448, 6.192314, 6.107615, 5.816153, 5.744742, 5.781825, 5.630053, 5.569669, 5.295063, 5.226612,
      4.975648, 4.96902, 4.884456, 4.708418, 4.519293, 4.357969, 4.271036, 4.305927, 4.142524, 3.848118,
    ],
    val: 3.9871268272399902,
  },
};

beforeAll(async () => {
  await initBackend();
});

describeBothPaths('a fixed small run trains to the pre-optimisation losses', () => {
  const task = loadTextTask({ seed: 7, seqLen: 32 });
  for (const [name, ref] of Object.entries(REF)) {
    it(name, () => {
      const spec = makeSpec(ref.kind, { d_model: 32, max_seq: 32, ...ref.spec });
      const params = initParams(spec, new Rng(7));
      const opt = new AdamW(params, { ...ADAMW_DEFAULTS, weightDecay: 0.01 });
      const rng = new Rng(123);
      const losses: number[] = [];
      for (let s = 0; s < 20; s++)
        losses.push(trainStep(spec, params, opt, sampleWindows(task.train, rng, 8, 32), 32, 3e-3));
      const val = evaluate(spec, params, [sampleWindows(task.val, new Rng(5), 8, 32)], 32).loss;
      losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]), `step ${i + 1}`).toBeLessThan(1e-4));
      expect(Math.abs(val - ref.val)).toBeLessThan(1e-4);
      opt.dispose();
      disposeParams(params);
    });
  }
});

describeBothPaths('data-parallel steps (worker threads) give the one-thread result', () => {
  it('conv-attn d=32, batch 32 x 64: 5 steps with 2 threads match 5 steps on one thread', () => {
    const spec = makeSpec('conv-attn', { d_model: 32, max_seq: 64 });
    const run = (threads: string) => {
      const before = process.env.SMALLSCOPE_THREADS;
      process.env.SMALLSCOPE_THREADS = threads;
      try {
        const params = initParams(spec, new Rng(3));
        const opt = new AdamW(params);
        const rng = new Rng(9);
        const losses: number[] = [];
        for (let s = 0; s < 5; s++)
          losses.push(trainStep(spec, params, opt, sampleWindows(task.train, rng, 32, 64), 64, 3e-3));
        const val = evaluate(spec, params, [sampleWindows(task.val, new Rng(5), 8, 64)], 64).loss;
        opt.dispose();
        disposeParams(params);
        return { losses, val };
      } finally {
        if (before === undefined) delete process.env.SMALLSCOPE_THREADS;
        else process.env.SMALLSCOPE_THREADS = before;
      }
    };
    const task = loadTextTask({ seed: 7, seqLen: 64 });
    const one = run('1');
    const two = run('2');
    one.losses.forEach((l, i) => expect(Math.abs(l - two.losses[i])).toBeLessThan(1e-4));
    expect(Math.abs(one.val - two.val)).toBeLessThan(1e-4);
  }, 60_000);
});

describe('the native kernels train a seed-000 conv stack to the wasm kernels’ losses', () => {
  afterAll(() => {
    setNativeKernels(true);
  });
  it('conv-stack C=16 k=13 dilations 5,7,1, attention T at layer 3, layer norm: 8 steps of 16 x 24 within 1e-4', () => {
    const spec = convStackSpec({
      layers: 3,
      channels: 16,
      kernel: 13,
      dilation: [5, 7, 1],
      attn: [0, 0, 'T'],
      norm: 'layer',
      seqLen: 24,
    });
    const task = loadTextTask({ seed: 7, seqLen: 24 });
    const run = (native: boolean) => {
      setNativeKernels(native);
      const params = initParams(spec, new Rng(5));
      const opt = new AdamW(params);
      const rng = new Rng(6);
      const losses: number[] = [];
      for (let s = 0; s < 8; s++)
        losses.push(trainStep(spec, params, opt, sampleWindows(task.train, rng, 16, 24), 24, 3e-3));
      opt.dispose();
      disposeParams(params);
      return losses;
    };
    const wasm = run(false);
    const native = run(true);
    expect(wasm[7]).toBeLessThan(wasm[0]); // it trains
    native.forEach((l, i) => expect(Math.abs(l - wasm[i]!), `step ${i + 1}`).toBeLessThan(1e-4));
  }, 60_000);
});

describe('data-parallel steps split targets by their count per row', () => {
  it('counting (seed 004: 4 targets per 10-position row): 3 steps with 2 threads match 3 steps on one thread', () => {
    const task = { length: 10, letters: 3, blank: 0.25 };
    const spec = countingSpec();
    const run = (threads: string) => {
      const before = process.env.SMALLSCOPE_THREADS;
      process.env.SMALLSCOPE_THREADS = threads;
      try {
        expect(threadsFor(128, 10)).toBe(Number(threads)); // two threads do split this step
        const params = initParams(spec, new Rng(3));
        const opt = new AdamW(params);
        const rng = new Rng(9);
        const losses: number[] = [];
        for (let s = 0; s < 3; s++) {
          const batch = countingBatch(task, rng, 128);
          expect(batch.targets.length).toBe(128 * 4);
          losses.push(alignedTrainStep(spec, params, opt, batch, task.length, 3e-3));
        }
        opt.dispose();
        disposeParams(params);
        return losses;
      } finally {
        if (before === undefined) delete process.env.SMALLSCOPE_THREADS;
        else process.env.SMALLSCOPE_THREADS = before;
      }
    };
    const one = run('1');
    const two = run('2');
    one.forEach((l, i) => expect(Math.abs(l - two[i]!), `step ${i + 1}`).toBeLessThan(1e-4));
  }, 60_000);
});
