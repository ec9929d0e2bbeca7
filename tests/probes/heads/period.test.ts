import { describe, expect, it } from 'vitest';
import { detectBatchPeriod, detectPeriod, repeatsWithPeriod } from '../../../probes/scores/period';

describe('period detection (exact repeat of a block)', () => {
  it('finds n for a block repeated twice', () => {
    expect(detectPeriod([5, 6, 7, 5, 6, 7])).toEqual({ n: 3, start: 0 });
  });

  it('finds a repeat after one leading (BOS) token', () => {
    expect(detectPeriod([0, 5, 6, 7, 5, 6, 7])).toEqual({ n: 3, start: 1 });
  });

  it('returns null for text that is not an exact repeat', () => {
    expect(detectPeriod([1, 2, 3, 4])).toBeNull();
    expect(detectPeriod([1, 2, 1, 3])).toBeNull();
    expect(detectPeriod([7])).toBeNull();
  });

  it('needs the same period in every row of a batch', () => {
    expect(
      detectBatchPeriod([
        [1, 2, 1, 2],
        [3, 4, 3, 4],
      ]),
    ).toEqual({ n: 2, start: 0 });
    expect(
      detectBatchPeriod([
        [1, 2, 1, 2],
        [3, 4, 5, 6],
      ]),
    ).toBeNull();
  });

  it('checks x[i] = x[i-n] for a given period', () => {
    expect(repeatsWithPeriod([[1, 2, 1, 2, 1]], 2)).toBe(true);
    expect(repeatsWithPeriod([[1, 2, 1, 3]], 2)).toBe(false);
  });
});
