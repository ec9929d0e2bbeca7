import { describe, expect, it } from 'vitest';
import {
  detectionTargets,
  detectorScore,
  detectorScoreAt,
  DETECTION_PATTERNS,
  duplicateTokenPattern,
  inductionPattern,
  previousTokenPattern,
  type DetectorOptions,
} from '../../../probes/scores/head-detector';
import { pythonRound3 } from '../../../probes/scores/python-round';

// PROBE_DEFINITIONS §2.1, test vector B: tokens [BOS=0, 11, 12, 13, 11, 12, 13], n = 3, T = 7.
const tokens = [0, 11, 12, 13, 11, 12, 13];
const T = tokens.length;

function matrix(entries: [number, number][]): Float64Array {
  const A = new Float64Array(T * T);
  for (const [q, k] of entries) A[q * T + k] = 1;
  return A;
}
/** A perfect induction head that rests on BOS when it has no target. */
const A_ind = matrix([
  [0, 0],
  [1, 0],
  [2, 0],
  [3, 0],
  [4, 2],
  [5, 3],
  [6, 4],
]);
/** A perfect previous-token head (row 0 can only attend to itself). */
const A_prev = matrix([
  [0, 0],
  [1, 0],
  [2, 1],
  [3, 2],
  [4, 3],
  [5, 4],
  [6, 5],
]);

const columns: [string, DetectorOptions][] = [
  ['mul', { errorMeasure: 'mul' }],
  ['mul+bos', { errorMeasure: 'mul', excludeBos: true }],
  ['mul+cur', { errorMeasure: 'mul', excludeCurrentToken: true }],
  ['mul+bos+cur', { errorMeasure: 'mul', excludeBos: true, excludeCurrentToken: true }],
  ['abs', { errorMeasure: 'abs' }],
  ['abs+bos', { errorMeasure: 'abs', excludeBos: true }],
  ['abs+cur', { errorMeasure: 'abs', excludeCurrentToken: true }],
  ['abs+bos+cur', { errorMeasure: 'abs', excludeBos: true, excludeCurrentToken: true }],
];

const table: [string, Float64Array, Uint8Array, number[]][] = [
  ['A_ind vs induction', A_ind, inductionPattern(tokens), [0.4286, 1.0, 0.5, 1.0, 0.429, 1.0, 0.571, 1.0]],
  [
    'A_ind vs previous',
    A_ind,
    previousTokenPattern(tokens),
    [0.1429, 0.0, 0.1667, 0.0, -0.571, -0.143, -0.429, -0.143],
  ],
  [
    'A_ind vs duplicate',
    A_ind,
    duplicateTokenPattern(tokens),
    [0.0, 0.0, 0.0, 0.0, -0.429, 0.143, -0.286, 0.143],
  ],
  ['A_prev vs previous', A_prev, previousTokenPattern(tokens), [0.8571, 1.0, 1.0, 1.0, 0.857, 1.0, 1.0, 1.0]],
  [
    'A_prev vs induction',
    A_prev,
    inductionPattern(tokens),
    [0.0, 0.0, 0.0, 0.0, -0.429, -0.143, -0.286, -0.143],
  ],
];

describe('TransformerLens head_detector (§2.1, test vector B)', () => {
  for (const [row, A, D, expected] of table) {
    columns.forEach(([column, options], i) => {
      it(`${row}, ${column}: ${expected[i]}`, () => {
        const score = detectorScore(A, D, T, options);
        // mul values are printed to 4 decimals; abs values are exact multiples of 0.001 after Python's round.
        if (options.errorMeasure === 'mul') expect(Math.abs(score - expected[i])).toBeLessThan(5e-5);
        else expect(score).toBeCloseTo(expected[i], 12);
      });
    });
  }

  it('builds the previous-token pattern with D[1, 0] = 1 pointing at BOS and row 0 empty', () => {
    const D = previousTokenPattern(tokens);
    expect(D[1 * T + 0]).toBe(1);
    expect(D.subarray(0, T).every((v) => v === 0)).toBe(true);
  });

  it('builds the duplicate pattern from earlier copies only (j < i)', () => {
    const D = duplicateTokenPattern(tokens);
    expect([D[4 * T + 1], D[5 * T + 2], D[6 * T + 3]]).toEqual([1, 1, 1]);
    expect(D.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('puts an adjacent repeat on the diagonal of the induction pattern (tokens [0, 5, 5]: D[2, 2] = 1)', () => {
    expect(Array.from(inductionPattern([0, 5, 5]))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('does not modify the pattern it scores (TransformerLens mutates its cache in place)', () => {
    const copy = A_ind.slice();
    detectorScore(A_ind, inductionPattern(tokens), T, { excludeBos: true, excludeCurrentToken: true });
    expect(A_ind).toEqual(copy);
  });

  it('scores a perfect BOS-resting induction head on n = 50 as 50/101 with mul', () => {
    const n = 50;
    const toks = [0, ...Array.from({ length: n }, (_, i) => 100 + i)];
    toks.push(...toks.slice(1));
    const L = toks.length;
    const A = new Float64Array(L * L);
    for (let i = 0; i < L; i++) A[i * L + (i >= n + 1 ? i - n + 1 : 0)] = 1;
    expect(detectorScore(A, inductionPattern(toks), L)).toBeCloseTo(50 / 101, 12);
  });
});

describe("Python's round(x, 3)", () => {
  it('rounds exact binary ties to even: 0.0625 -> 0.062, 0.1875 -> 0.188, -0.0625 -> -0.062', () => {
    expect(pythonRound3(0.0625)).toBe(0.062);
    expect(pythonRound3(0.1875)).toBe(0.188);
    expect(pythonRound3(-0.0625)).toBe(-0.062);
    expect(pythonRound3(0.3125)).toBe(0.312);
  });

  it('rounds decimal-looking ties by their binary value: 0.0005 -> 0.001, 2.675 -> 2.675, 1.0005 -> 1.0', () => {
    expect(pythonRound3(0.0005)).toBe(0.001); // 0.0005 is stored slightly above the half
    expect(pythonRound3(1.0005)).toBe(1.0); // 1.0005 is stored slightly below the half
    expect(pythonRound3(0.4285714285714286)).toBe(0.429);
  });
});

describe('detectorScore without exclusions', () => {
  it('is the row-major ordered sum(A·D) / sum(A), bit for bit (the page and the CLI must agree)', () => {
    const n = 37;
    let seed = 11;
    const A = Float32Array.from({ length: n * n }, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    const D = inductionPattern(Array.from({ length: n }, (_, i) => (i * 5) % 7));
    let [num, den] = [0, 0];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        num += A[i * n + j] * D[i * n + j];
        den += A[i * n + j];
      }
    expect(detectorScore(A, D, n)).toBe(num / den);
  });
});

describe('detection targets (the 1s of a pattern as row-major indices)', () => {
  // The definitions (§2.1), entry by entry.
  const byDefinition: Record<string, (t: number[], i: number, j: number) => boolean> = {
    previous_token_head: (_t, i, j) => j === i - 1,
    duplicate_token_head: (t, i, j) => j < i && t[j] === t[i],
    induction_head: (t, i, j) => j >= 1 && j <= i && t[j - 1] === t[i],
  };
  let seed = 5;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const texts = [
    [0, 5, 5],
    [7],
    Array.from({ length: 60 }, () => Math.floor(rand() * 4)),
    Array.from({ length: 45 }, () => 3), // every pair is a copy: T(T-1)/2 targets
  ];

  for (const name of DETECTION_PATTERNS) {
    it(`${name}: exactly the entries the definition marks, in row-major order`, () => {
      for (const t of texts) {
        const T = t.length;
        const want: number[] = [];
        for (let i = 0; i < T; i++)
          for (let j = 0; j < T; j++) if (byDefinition[name](t, i, j)) want.push(i * T + j);
        expect(Array.from(detectionTargets(name, t))).toEqual(want);
      }
    });
  }

  it('detectorScoreAt gives detectorScore bit for bit, for every measure and exclusion', () => {
    const t = Array.from({ length: 41 }, () => Math.floor(rand() * 5));
    const T = t.length;
    // A causal softmax-like pattern in float32, as the runtimes return it.
    const A = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = 0; j <= i; j++) A[i * T + j] = rand() / (i + 1);
    for (const name of DETECTION_PATTERNS) {
      const targets = detectionTargets(name, t);
      const D = new Uint8Array(T * T);
      for (const k of targets) D[k] = 1;
      for (const [column, options] of columns) {
        expect([name, column, detectorScoreAt(A, targets, T, options)]).toEqual([
          name,
          column,
          detectorScore(A, D, T, options),
        ]);
      }
    }
  });
});
