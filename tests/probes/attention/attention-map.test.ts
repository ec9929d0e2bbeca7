import { describe, expect, it } from 'vitest';
import { causalSoftmax, futureMass, rowSumError, topOffsets } from '../../../probes/pattern';

// PROBE_DEFINITIONS §1, test vector A: d_head = 1, q = [1, 0, 2], k = [1, 2, -1], scale sqrt(1).
describe('attention map (§1, test vector A)', () => {
  const q = [1, 0, 2];
  const k = [1, 2, -1];
  const S = q.flatMap((qi) => k.map((kj) => qi * kj));
  const A = causalSoftmax(S, 3);

  it('row 0 attends only to itself, row 1 splits evenly, row 2 is softmax(2, 4, -2)', () => {
    const expected = [1, 0, 0, 0.5, 0.5, 0, 0.118943, 0.878878, 0.002179];
    expected.forEach((v, i) => expect(A[i]).toBeCloseTo(v, 6));
  });

  it('keeps the upper triangle exactly 0 and every row summing to 1', () => {
    expect(futureMass(A, 3)).toBe(0);
    expect(rowSumError(A, 3)).toBeLessThan(1e-12);
  });

  it('sets a fully masked row to 0 rather than NaN (TransformerLens convention)', () => {
    const masked = causalSoftmax([-Infinity, 0, 0, 0], 2);
    expect(Array.from(masked)).toEqual([0, 0, 0.5, 0.5]);
  });

  it('ranks relative offsets by mean attention: a previous-token head peaks at offset -1', () => {
    const prev = [1, 0, 0, 1, 0, 0, 0, 1, 0];
    expect(topOffsets(prev, 3, 1)[0]).toEqual({ offset: -1, mean: 1 });
  });
});
