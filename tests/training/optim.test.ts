import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../training/backend';
import { AdamW } from '../../training/optim/adamw';
import { cosineWithWarmup, learningRate } from '../../training/optim/schedule';

beforeAll(async () => {
  await initBackend();
});

describe('AdamW', () => {
  it('two steps match the closed form (decoupled decay, bias-corrected moments)', () => {
    const p0 = [0.5, -1.0, 2.0];
    const g1 = [0.1, -0.3, 0.0];
    const g2 = [0.2, 0.1, -0.5];
    const lr = 0.01;
    const wd = 0.1;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const p = tf.variable(tf.tensor1d(p0));
    const opt = new AdamW({ p }, { beta1: b1, beta2: b2, eps, weightDecay: wd });
    opt.apply({ p: tf.tensor1d(g1) }, lr);
    // Step 1: m = (1-b1) g, v = (1-b2) g^2, so m_hat = g, v_hat = g^2 and the step is lr * g / (|g| + eps).
    const expect1 = p0.map((x, i) => x * (1 - lr * wd) - (lr * g1[i]) / (Math.abs(g1[i]) + eps));
    const got1 = Array.from(p.dataSync());
    got1.forEach((x, i) => expect(x).toBeCloseTo(expect1[i], 6));
    opt.apply({ p: tf.tensor1d(g2) }, lr);
    const expect2 = expect1.map((x, i) => {
      const m = b1 * (1 - b1) * g1[i] + (1 - b1) * g2[i];
      const v = b2 * (1 - b2) * g1[i] ** 2 + (1 - b2) * g2[i] ** 2;
      const mh = m / (1 - b1 ** 2);
      const vh = v / (1 - b2 ** 2);
      return x * (1 - lr * wd) - (lr * mh) / (Math.sqrt(vh) + eps);
    });
    Array.from(p.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expect2[i], 6));
    expect(opt.state.step).toBe(2);
    // A zero gradient still decays the weight (PyTorch AdamW does the same for a zero, not-None grad).
    expect(got1[2]).toBeCloseTo(2.0 * (1 - lr * wd), 7);
    opt.dispose();
    p.dispose();
  });
});

describe('cosine schedule with linear warmup', () => {
  const peak = 3e-4;
  const total = 1000; // warmup 0.1 -> 100 warmup steps
  it('rises linearly from 0 to the peak at the end of warmup', () => {
    expect(cosineWithWarmup(0, total, peak, 0.1)).toBe(0);
    expect(cosineWithWarmup(50, total, peak, 0.1)).toBeCloseTo(peak / 2, 12);
    expect(cosineWithWarmup(100, total, peak, 0.1)).toBeCloseTo(peak, 12);
  });
  it('is half the peak at the cosine midpoint and 0 at the end', () => {
    expect(cosineWithWarmup(550, total, peak, 0.1)).toBeCloseTo(peak / 2, 12);
    expect(cosineWithWarmup(1000, total, peak, 0.1)).toBeCloseTo(0, 12);
    expect(cosineWithWarmup(325, total, peak, 0.1)).toBeCloseTo(peak * 0.5 * (1 + Math.cos(Math.PI / 4)), 12);
  });
});

describe('constant schedule (train --schedule constant: seed 004 trains Adam at a fixed 1e-2)', () => {
  it('is the peak at every step without warmup, and rises to it linearly with one', () => {
    for (const step of [0, 1, 500, 999]) expect(learningRate('constant', step, 1000, 1e-2, 0)).toBe(1e-2);
    expect(learningRate('constant', 50, 1000, 1e-2, 0.1)).toBeCloseTo(5e-3, 15);
    expect(learningRate('constant', 100, 1000, 1e-2, 0.1)).toBe(1e-2);
    expect(learningRate('constant', 999, 1000, 1e-2, 0.1)).toBe(1e-2);
  });
  it('cosine is the cosine schedule', () => {
    expect(learningRate('cosine', 325, 1000, 2e-3, 0.1)).toBe(cosineWithWarmup(325, 1000, 2e-3, 0.1));
  });
});
