import { describe, expect, it } from 'vitest';
import {
  channelRatios,
  keySpaceTap,
  keyVarianceSplit,
  prevShare,
  smearAlignment,
} from '../../../probes/conv/smear';
import type { ConvWeight } from '../../../format/conv/conv-weight';
import { REFERENCE, referenceWeight } from './reference-weights';

// Test vector J2 of PROBE_DEFINITIONS: W_prev = 0.5 I2, W_cur = I2, W_fut = 0, W_K = [[1, 1]].
function j2(): { w: ConvWeight; wk: Float64Array } {
  const data = new Float32Array(12);
  for (let o = 0; o < 2; o++) {
    data[(o * 2 + o) * 3] = 0.5;
    data[(o * 2 + o) * 3 + 1] = 1;
  }
  return { w: { out: 2, in: 2, kernel: 3, data, offsets: [-1, 0, 1] }, wk: Float64Array.of(1, 1) };
}

describe('smeared-key statistics', () => {
  it('S2: per-output-channel prev/cur ratio is 0.5 for J2', () => {
    const r = channelRatios(j2().w);
    expect(r.rho).toEqual([0.5, 0.5]);
    expect(r.f[0]).toBeCloseTo(0.2, 12);
    expect(r.frac_above_1).toBe(0);
  });

  it('S2: matches the PyTorch reference per-output-channel ratios within 1e-5 relative', () => {
    const r = channelRatios(referenceWeight(true));
    const ref = REFERENCE.conv_stats.prev_over_current_l2_ratio.per_output_channel as number[];
    ref.forEach((v, o) => expect(Math.abs(r.rho[o] - v) / v).toBeLessThan(1e-5));
    expect(r.null_sd_log).toBeCloseTo(0.6325 / 8, 12);
  });

  it('S3/S4: key-space taps K_prev = [.5,.5], K_cur = [1,1] and whitened prev share 0.2', () => {
    const { w, wk } = j2();
    const kPrev = keySpaceTap(wk, 1, w, -1);
    const kCur = keySpaceTap(wk, 1, w, 0);
    expect(Array.from(kPrev)).toEqual([0.5, 0.5]);
    expect(Array.from(kCur)).toEqual([1, 1]);
    expect(prevShare(kPrev, kCur)).toBeCloseTo(0.2, 12);
  });

  it('S6: an exact Olsson smear has cos 1, s* 0.5 and implied sigma 2/3', () => {
    const a = smearAlignment(Float64Array.of(0.5, 0.5), Float64Array.of(1, 1));
    expect(a.cos).toBeCloseTo(1, 12);
    expect(a.s).toBeCloseTo(0.5, 12);
    expect(a.sigma).toBeCloseTo(0.666667, 6);
  });

  it('S5: key variance split on X=[[1,0],[0,1],[1,1],[0,0]] (t >= 1), Shapley share can be negative', () => {
    const x = Float64Array.of(1, 0, 0, 1, 1, 1, 0, 0);
    const s = keyVarianceSplit(Float64Array.of(0.5, 0.5), Float64Array.of(1, 1), 1, x, 2);
    expect(s.V_prev).toBeCloseTo(0.0556, 4);
    expect(s.V_cur).toBeCloseTo(0.6667, 4);
    expect(s.C).toBeCloseTo(-0.1667, 4);
    expect(s.total).toBeCloseTo(0.3889, 4);
    expect(s.share_no_cross).toBeCloseTo(1 / 13, 6);
    expect(s.share_shapley).toBeCloseTo(-0.2857, 4);
  });

  it('names the missing tap when a conv has no previous-position tap', () => {
    const w: ConvWeight = { out: 1, in: 1, kernel: 1, data: Float32Array.of(1), offsets: [0] };
    expect(() => channelRatios(w)).toThrow(/no tap at offset -1/);
  });
});
