import { describe, expect, it } from 'vitest';
import { causalSoftmax } from '../../../probes/pattern';
import { arenaInductionScore, inductionScore } from '../../../probes/scores/induction';
import { previousTokenScore } from '../../../probes/scores/previous-token';

/** A perfect induction head on `start` + block(n) + block(n) that rests on position 0 when it has no target. */
function perfectHead(n: number, start: number): { A: Float64Array; T: number } {
  const T = start + 2 * n;
  const A = new Float64Array(T * T);
  for (let i = 0; i < T; i++) A[i * T + (i >= start + n ? i - n + 1 : 0)] = 1;
  return { A, T };
}

// PROBE_DEFINITIONS §2.2, test vector C.
describe('induction score on repeated random tokens (§2.2, test vector C)', () => {
  it('n=3 with BOS, perfect BOS-resting head: ARENA 0.8 over 5 diagonal entries, clean 1.0', () => {
    const { A, T } = perfectHead(3, 1);
    expect(T).toBe(7);
    expect(arenaInductionScore(A, T, 3)).toBeCloseTo(0.8, 12);
    expect(inductionScore(A, T, 3, 1)).toBeCloseTo(1.0, 12);
  });

  it('n=3 with BOS, uniform causal attention A[i,j] = 1/(i+1): ARENA 0.218571, clean 0.169841', () => {
    const T = 7;
    const A = causalSoftmax(new Float64Array(T * T), T);
    expect(arenaInductionScore(A, T, 3)).toBeCloseTo(0.218571, 6);
    expect(inductionScore(A, T, 3, 1)).toBeCloseTo(0.169841, 6);
  });

  it('n=3 without BOS, perfect head resting on position 0: ARENA 1.0 over 4 entries, clean 1.0', () => {
    const { A, T } = perfectHead(3, 0);
    expect(arenaInductionScore(A, T, 3)).toBeCloseTo(1.0, 12);
    expect(inductionScore(A, T, 3, 0)).toBeCloseTo(1.0, 12);
  });

  it('n=50 with BOS, perfect BOS-resting head: ARENA 51/52 = 0.980769 over 52 entries, clean 1.0', () => {
    const { A, T } = perfectHead(50, 1);
    expect(arenaInductionScore(A, T, 50)).toBeCloseTo(51 / 52, 12);
    expect(arenaInductionScore(A, T, 50)).toBeCloseTo(0.980769, 6);
    expect(inductionScore(A, T, 50, 1)).toBeCloseTo(1.0, 12);
  });

  it('reads A[i, i-n+1] for i = n..2n-1 without BOS (the DESIGN definition of `induction`)', () => {
    const n = 2;
    const T = 4;
    const A = new Float64Array(T * T);
    A[2 * T + 1] = 0.25; // i = 2 -> key 1
    A[3 * T + 2] = 0.75; // i = 3 -> key 2
    expect(inductionScore(A, T, n)).toBeCloseTo(0.5, 12);
  });

  it('is NaN when the period leaves no query in a repeated copy', () => {
    expect(inductionScore(new Float64Array(9), 3, 3)).toBeNaN();
  });
});

describe('previous-token score (§2.3.4)', () => {
  it('is mean_{i>=1} A[i, i-1]: a perfect previous-token head scores 1', () => {
    const T = 4;
    const A = new Float64Array(T * T);
    A[0] = 1;
    for (let i = 1; i < T; i++) A[i * T + i - 1] = 1;
    expect(previousTokenScore(A, T)).toBe(1);
  });

  it('leaves row 0 out: uniform causal attention on T=3 scores (1/2 + 1/3) / 2', () => {
    const A = causalSoftmax(new Float64Array(9), 3);
    expect(previousTokenScore(A, 3)).toBeCloseTo((1 / 2 + 1 / 3) / 2, 12);
  });
});
