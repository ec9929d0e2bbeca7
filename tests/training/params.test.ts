import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../training/backend';
import { disposeParams, initParams, paramCount } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { convTapStats } from '../../training/export/stats';

beforeAll(async () => {
  await initBackend();
});

describe('parameters', () => {
  it('Conv-Attn D=64 has 256*64 + (64*64*3+64) + 3*64*64 + (64*256+256) parameters', () => {
    const spec = makeSpec('conv-attn', { d_model: 64 });
    expect(paramCount(spec)).toBe(256 * 64 + (64 * 64 * 3 + 64) + 3 * 64 * 64 + (64 * 256 + 256));
    const params = initParams(spec, new Rng(0));
    expect(Object.values(params).reduce((n, v) => n + v.size, 0)).toBe(57664);
    disposeParams(params);
  });

  it('Attn-Attn D=64 has 256*64 + 2*3*64*64 + (64*256+256) parameters; pos-embed adds max_seq*64', () => {
    expect(paramCount(makeSpec('attn-attn', { d_model: 64 }))).toBe(256 * 64 + 6 * 64 * 64 + 64 * 256 + 256);
    expect(paramCount(makeSpec('attn-attn', { d_model: 64, pos_embed: true, max_seq: 128 }))).toBe(
      256 * 64 + 6 * 64 * 64 + 64 * 256 + 256 + 128 * 64,
    );
  });

  it('initialisation follows PyTorch defaults: N(0,1) embedding, xavier-normal Q/K/V, U(+-1/sqrt(fan_in)) conv and head', () => {
    const D = 64;
    const params = initParams(makeSpec('conv-attn', { d_model: D }), new Rng(3));
    const std = (name: string) => tf.tidy(() => tf.sqrt(tf.moments(params[name]).variance).dataSync()[0]);
    const absMax = (name: string) => tf.tidy(() => tf.max(tf.abs(params[name])).dataSync()[0]);
    expect(std('embed.W_E')).toBeCloseTo(1, 1);
    expect(std('blocks.0.attn.W_Q')).toBeCloseTo(Math.sqrt(1 / D), 2);
    const convBound = 1 / Math.sqrt(3 * D);
    expect(absMax('blocks.0.conv.W')).toBeLessThanOrEqual(convBound);
    expect(absMax('blocks.0.conv.W')).toBeGreaterThan(0.99 * convBound);
    // Uniform(-a, a) has std a / sqrt(3).
    expect(std('unembed.W_U')).toBeCloseTo(1 / Math.sqrt(D) / Math.sqrt(3), 2);
    disposeParams(params);
  });

  it('raw conv tap statistics use linear-interpolation quantiles, torch.std (ddof 1) and label taps -1, 0, +1', () => {
    // kernel 3, d_in = d_out = 2, tap-major [k, in, out]: tap k holds [k, k + 10, k + 20, k + 30]
    const raw = Float32Array.from({ length: 12 }, (_, j) => Math.floor(j / 4) + 10 * (j % 4));
    const stats = convTapStats(raw, 3, 2, 2);
    expect(stats.map((s) => s.offset)).toEqual([-1, 0, 1]);
    expect(stats[2]).toMatchObject({ max: 32, min: 2, mean: 17 });
    expect(stats[2].std).toBeCloseTo(Math.sqrt(500 / 3), 12); // deviations -15,-5,5,15: 500 / (4 - 1)
    expect(stats[2].q75).toBeCloseTo(24.5, 12); // p = 0.75 * 3 = 2.25 between 22 and 32
  });
});
