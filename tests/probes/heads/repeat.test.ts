import { describe, expect, it } from 'vitest';
import { causalSoftmax } from '../../../probes/pattern';
import { longestRepeat, repeatAttention } from '../../../probes/scores/repeat';

/** A T x T pattern with all of each row's weight on key f(q) (q itself where f gives nothing). */
function oneHot(T: number, f: (q: number) => number | null): Float64Array {
  const A = new Float64Array(T * T);
  for (let q = 0; q < T; q++) A[q * T + (f(q) ?? q)] = 1;
  return A;
}

describe('longestRepeat: the passage that comes back', () => {
  it('finds a run repeated with other tokens between the copies (the Dursley shape)', () => {
    //             0  1  2  3  4  5  6  7  8  9 10 11
    const tokens = [9, 1, 2, 3, 4, 7, 8, 1, 2, 3, 4, 5];
    expect(longestRepeat(tokens)).toEqual({ start: 1, offset: 6, length: 4 });
  });

  it('is null without a run of minLength tokens, and takes the earliest of equal runs', () => {
    expect(longestRepeat([1, 2, 3, 1, 2, 4])).toBeNull();
    expect(longestRepeat([1, 2, 3, 1, 2, 4], 2)).toEqual({ start: 0, offset: 3, length: 2 });
    expect(longestRepeat([5, 6, 0, 5, 6, 0, 5, 6], 2)).toEqual({ start: 0, offset: 3, length: 5 });
  });
});

describe('repeatAttention: where the second copy looks in the first', () => {
  const r = { start: 1, offset: 6, length: 4 }; // second copy at 7..10; queries 8, 9, 10
  const T = 12;

  it('is same_token 1 for a head on the same token one offset back (a duplicate-token head)', () => {
    expect(
      repeatAttention(
        oneHot(T, (q) => (q >= 7 ? q - 6 : null)),
        T,
        r,
      ),
    ).toEqual({
      same_token: 1,
      next_token: 0,
    });
  });

  it('is next_token 1 for an induction head (the token after the earlier copy)', () => {
    expect(
      repeatAttention(
        oneHot(T, (q) => (q >= 7 ? q - 5 : null)),
        T,
        r,
      ),
    ).toEqual({
      same_token: 0,
      next_token: 1,
    });
  });

  it('is the mean of 1/(q+1) over the queries for uniform causal attention', () => {
    const A = causalSoftmax(new Float64Array(T * T), T);
    const want = (1 / 9 + 1 / 10 + 1 / 11) / 3;
    const got = repeatAttention(A, T, r)!;
    expect(got.same_token).toBeCloseTo(want, 12);
    expect(got.next_token).toBeCloseTo(want, 12);
  });

  it('is null for a one-token repeat (no query after the first)', () => {
    expect(repeatAttention(new Float64Array(T * T), T, { start: 0, offset: 5, length: 1 })).toBeNull();
  });
});
