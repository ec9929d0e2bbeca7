import { describe, expect, it } from 'vitest';
import { futureTapsNonZero, tapStats } from '../../../format/conv/tap-stats';
import { quantile } from '../../../format/conv/quantile';
import { tapOffsets, type ConvWeight } from '../../../format/conv/conv-weight';
import { REFERENCE, referenceWeight } from './reference-weights';

const TAPS = ['prev', 'current', 'future'] as const;

describe('per-tap weight statistics (S1, the seed-002 table)', () => {
  it('quantiles interpolate linearly between sorted neighbours at p = q (N-1), as numpy and torch', () => {
    expect(quantile([0, 0, 0.5, 0.5], 0.75)).toBe(0.5);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 12);
  });

  it('a padding-1 kernel-3 conv reads offsets -1, 0, +1', () => {
    expect(tapOffsets(3, 1, 1)).toEqual([-1, 0, 1]);
    expect(tapOffsets(3, 2, 4)).toEqual([-4, -2, 0]);
  });

  it('matches the PyTorch reference effective (masked) weights within 1e-6', () => {
    const stats = tapStats(referenceWeight(true));
    TAPS.forEach((t, k) => {
      const ref = REFERENCE.conv_stats.effective_masked[t];
      for (const key of ['max', 'min', 'q75', 'q90', 'mean', 'mean_abs'] as const)
        expect(Math.abs(stats[k][key] - ref[key])).toBeLessThan(1e-6);
      expect(Math.abs(stats[k].std - ref.std_unbiased)).toBeLessThan(1e-6);
      expect(Math.abs(stats[k].fro - ref.l2)).toBeLessThan(1e-5);
      expect(stats[k].count).toBe(4096);
    });
  });

  it('matches the PyTorch reference raw weights, whose untrained future tap is still at its init values', () => {
    const stats = tapStats(referenceWeight(false));
    TAPS.forEach((t, k) => {
      const ref = REFERENCE.conv_stats.raw_parameter[t];
      for (const key of ['max', 'min', 'q75', 'q90'] as const)
        expect(Math.abs(stats[k][key] - ref[key])).toBeLessThan(1e-6);
    });
    expect(stats[2].max).toBeLessThanOrEqual(1 / Math.sqrt(64 * 3));
  });

  it('S0: the masked conv is causal, the raw one is not', () => {
    expect(futureTapsNonZero(referenceWeight(true))).toEqual([]);
    expect(futureTapsNonZero(referenceWeight(false))).toEqual([1]);
  });

  it('test vector J2: prev = 0.5 I, cur = I gives max .5/1, q75 .5/1 and Frobenius .7071/1.4142', () => {
    const data = new Float32Array(2 * 2 * 3);
    for (let o = 0; o < 2; o++) {
      data[(o * 2 + o) * 3 + 0] = 0.5;
      data[(o * 2 + o) * 3 + 1] = 1;
    }
    const w: ConvWeight = { out: 2, in: 2, kernel: 3, data, offsets: [-1, 0, 1] };
    const [prev, cur, fut] = tapStats(w);
    expect([prev.max, prev.min, prev.abs_q75, prev.abs_q90]).toEqual([0.5, 0, 0.5, 0.5]);
    expect(prev.fro).toBeCloseTo(0.7071, 4);
    expect([cur.max, cur.min, cur.abs_q75, cur.abs_q90]).toEqual([1, 0, 1, 1]);
    expect(cur.fro).toBeCloseTo(1.4142, 4);
    expect([fut.max, fut.min, fut.fro]).toEqual([0, 0, 0]);
    expect(prev.energy_share).toBeCloseTo(0.2, 12);
  });
});
