import { describe, expect, it } from 'vitest';
import { eigenRatio, eigenvalues } from '../../../probes/linalg/eigenvalues';

const sorted = (e: { re: Float64Array; im: Float64Array }) =>
  Array.from(e.re, (r, i) => [r, e.im[i]]).sort(
    (a, b) => Math.round(a[0] * 1e6) - Math.round(b[0] * 1e6) || a[1] - b[1],
  );

/** Companion matrix of the monic polynomial with the given roots (real coefficients). */
function companion(coeffs: number[]): number[] {
  const n = coeffs.length; // x^n + c[n-1] x^(n-1) + ... + c[0]
  const m = new Array(n * n).fill(0);
  for (let i = 1; i < n; i++) m[i * n + i - 1] = 1;
  for (let i = 0; i < n; i++) m[i * n + n - 1] = -coeffs[i];
  return m;
}

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
}

describe('eigenvalues of a real matrix', () => {
  it('test vector E: copying ratio sum(l)/sum(|l|) of diag(2,-1), I3, a 90 degree rotation and [[1,2],[0,-3]]', () => {
    expect(eigenRatio([2, 0, 0, -1], 2)).toBeCloseTo(0.333333, 6);
    expect(eigenRatio([1, 0, 0, 0, 1, 0, 0, 0, 1], 3)).toBeCloseTo(1, 12);
    expect(eigenRatio([0, -1, 1, 0], 2)).toBeCloseTo(0, 12);
    expect(eigenRatio([1, 2, 0, -3], 2)).toBeCloseTo(-0.5, 12);
    expect(eigenRatio([0, 0, 0, 0], 2)).toBeNaN();
  });

  it('finds real and complex roots of (x-1)(x-2)(x+4)(x^2-2x+5) from its companion matrix', () => {
    // roots 1, 2, -4, 1 +- 2i: expand the product of the factors (coefficients lowest degree first)
    const factors = [
      [-1, 1],
      [-2, 1],
      [4, 1],
      [5, -2, 1],
    ];
    let poly = [1];
    for (const f of factors) {
      const next = new Array(poly.length + f.length - 1).fill(0);
      poly.forEach((a, i) => f.forEach((b, j) => (next[i + j] += a * b)));
      poly = next;
    }
    const coeffs = poly.slice(0, 5); // monic: poly[5] = 1
    expect(poly[5]).toBe(1);
    const e = sorted(eigenvalues(companion(coeffs), 5));
    const want = [
      [-4, 0],
      [1, -2],
      [1, 0],
      [1, 2],
      [2, 0],
    ];
    e.forEach(([re, im], i) => {
      expect(re).toBeCloseTo(want[i][0], 8);
      expect(im).toBeCloseTo(want[i][1], 8);
    });
  });

  it('eigenvalues of a random 40x40 matrix sum to its trace and their moduli multiply to |det|', () => {
    const r = rng(7);
    const n = 40;
    const a = Array.from({ length: n * n }, r);
    const e = eigenvalues(a, n);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i];
    expect(e.re.reduce((s, v) => s + v, 0)).toBeCloseTo(tr, 8);
    expect(e.im.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 8);
    // log|det| by Gaussian elimination with partial pivoting
    const m = a.slice();
    let logDet = 0;
    for (let c = 0; c < n; c++) {
      let p = c;
      for (let i = c + 1; i < n; i++) if (Math.abs(m[i * n + c]) > Math.abs(m[p * n + c])) p = i;
      for (let j = 0; j < n; j++) [m[c * n + j], m[p * n + j]] = [m[p * n + j], m[c * n + j]];
      logDet += Math.log(Math.abs(m[c * n + c]));
      for (let i = c + 1; i < n; i++) {
        const f = m[i * n + c] / m[c * n + c];
        for (let j = c; j < n; j++) m[i * n + j] -= f * m[c * n + j];
      }
    }
    let logProd = 0;
    for (let i = 0; i < n; i++) logProd += Math.log(Math.hypot(e.re[i], e.im[i]));
    expect(logProd).toBeCloseTo(logDet, 6);
  });

  it('the nonzero spectrum of AB equals that of BA (the d_head x d_head trick for OV circuits)', () => {
    const r = rng(3);
    const [n, k] = [30, 4];
    const A = Array.from({ length: n * k }, r);
    const B = Array.from({ length: k * n }, r);
    const ab = new Array(n * n).fill(0);
    const ba = new Array(k * k).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) ab[i * n + j] += A[i * k + p] * B[p * n + j];
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) for (let p = 0; p < n; p++) ba[i * k + j] += B[i * n + p] * A[p * k + j];
    expect(eigenRatio(ab, n)).toBeCloseTo(eigenRatio(ba, k), 8);
  });
});
