import { describe, expect, it } from 'vitest';
import { letterAttention } from '../../probes/scores/letter-attention';

/**
 * Seed 004's printed example (004_c6d504ac7dd1b90b.txt, "Without --self_att"): input "A AABC CB ", each output
 * step's attention over the 10 input steps. The seed reads it as "Output step 0 attended mainly to Input steps
 * [0 2 3]" (the A's), step 1 to [4 8] (the B's), step 2 to [5 7] (the C's).
 */
const INPUT = Array.from('A AABC CB ', (c) => c.charCodeAt(0));
const PRINTED = [
  [0.186, 0.085, 0.186, 0.186, 0.031, 0.062, 0.085, 0.062, 0.031, 0.085],
  [0.037, 0.105, 0.037, 0.037, 0.204, 0.083, 0.105, 0.083, 0.204, 0.105],
  [0.049, 0.08, 0.049, 0.049, 0.051, 0.256, 0.08, 0.256, 0.051, 0.08],
  [0.134, 0.082, 0.134, 0.134, 0.123, 0.053, 0.082, 0.053, 0.123, 0.082],
];

describe('letter attention of a counting model (seed 004)', () => {
  // [batch 1, head 1, output step 4, input position 10]
  const pattern = { dims: [1, 1, 4, 10], data: Float32Array.from(PRINTED.flat()) };

  it("reads the seed's example: the weight on each of the step's letters, the mean elsewhere, argmax on the letter", () => {
    const rows = letterAttention(pattern, [INPUT], 3);
    expect(rows.map((r) => r.letter)).toEqual(['A', 'B', 'C']);
    expect(rows.map((r) => r.own)).toEqual([0.186, 0.204, 0.256].map((x) => expect.closeTo(x, 6)));
    // step 0: the 7 non-A positions 0.085, 0.031, 0.062, 0.085, 0.062, 0.031, 0.085
    expect(rows[0].other).toBeCloseTo(0.441 / 7, 6);
    expect(rows[1].other).toBeCloseTo((3 * 0.037 + 3 * 0.105 + 2 * 0.083) / 8, 6);
    expect(rows.every((r) => r.argmax === 1 && r.rows === 1)).toBe(true);
  });

  it('a step whose largest weight misses its letter, and rows without the letter, count as they should', () => {
    // Row 1 has no C and puts step 0's largest weight on a B.
    const other = Array.from('BB A     B', (c) => c.charCodeAt(0));
    const row1 = [
      [0.05, 0.5, 0.05, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05],
      ...PRINTED.slice(1).map(() => Array<number>(10).fill(0.1)),
    ];
    const two = { dims: [2, 1, 4, 10], data: Float32Array.from([...PRINTED.flat(), ...row1.flat()]) };
    const rows = letterAttention(two, [INPUT, other], 3);
    expect(rows[0]).toMatchObject({ rows: 2, argmax: 0.5 });
    expect(rows[0].own).toBeCloseTo((0.186 + 0.1) / 2, 6);
    // C: only row 0 holds one
    expect(rows[2]).toMatchObject({ rows: 1, argmax: 1 });
  });
});
