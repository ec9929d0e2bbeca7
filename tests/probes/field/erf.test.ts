import { describe, expect, it } from 'vitest';
import { allOnesErf, massRadius, summarizeErf } from '../../../probes/field/erf';

describe('effective receptive field summaries', () => {
  it('the all-ones ERF of k=7 x3 is the box convolved with itself three times (sum 343)', () => {
    expect(Array.from(allOnesErf([7, 7, 7], [1, 1, 1]))).toEqual([
      1, 3, 6, 10, 15, 21, 28, 33, 36, 37, 36, 33, 28, 21, 15, 10, 6, 3, 1,
    ]);
  });

  it('k=7 x3 all-ones: sigma 3.4641 = sqrt(sum d^2 (k^2-1)/12), R50/R90/R95/R99 = 2/6/7/8', () => {
    const g = allOnesErf([7, 7, 7], [1, 1, 1]);
    const s = summarizeErf(g, 9);
    expect(s.sigma).toBeCloseTo(Math.sqrt((3 * 48) / 12), 10);
    expect(s.sigma).toBeCloseTo(3.4641, 4);
    expect([s.r50, s.r90, s.r95, s.r99]).toEqual([2, 6, 7, 8]);
    expect(s.mean).toBeCloseTo(0, 12);
  });

  it('k=13 d=5,7,1 all-ones: length 157, sigma 32.4037, R50/R90/R95/R99 = 24/54/61/71', () => {
    const g = allOnesErf([13, 13, 13], [5, 7, 1]);
    expect(g.length).toBe(157);
    const s = summarizeErf(g, 78);
    expect(s.sigma).toBeCloseTo(32.4037, 4);
    expect([s.r50, s.r90, s.r95, s.r99]).toEqual([24, 54, 61, 71]);
  });

  it('k=3 x2 all-ones ERF is [1,2,3,2,1]/9', () => {
    expect(Array.from(allOnesErf([3, 3], [1, 1]))).toEqual([1, 2, 3, 2, 1]);
  });

  it('a one-sided (causal) window counts only the past', () => {
    // a third of the mass at each of offsets -1, 0, +1
    const g = [0, 1, 1, 1, 0];
    expect(massRadius(g, 2, 1, false)).toBe(1);
    expect(massRadius(g, 2, 0.6, true)).toBe(1);
    expect(massRadius(g, 2, 1, true)).toBeNull();
    expect(massRadius([0, 0, 0], 1, 0.5)).toBeNull();
  });
});
