import { describe, expect, it } from 'vitest';
import { difference } from '../../src/lib/compare/diff';

const map = (rows: number, cols: number, f: (i: number) => number) => ({
  rows,
  cols,
  values: Float32Array.from({ length: rows * cols }, (_, i) => f(i)),
});

describe('the compare view’s difference A − B', () => {
  it('is A − B cell by cell, with the largest |A − B| for the colour scale', () => {
    const a = map(3, 3, (i) => i / 8);
    const b = map(3, 3, (i) => (8 - i) / 8);
    const d = difference(a, b)!;
    expect(Array.from(d.values)).toEqual(Array.from(a.values, (v, i) => Math.fround(v - b.values[i])));
    expect(d.maxAbs).toBe(1);
  });

  it('exists for two cross-attention maps of the same output steps x input tokens', () => {
    const d = difference(
      map(4, 10, () => 0.1),
      map(4, 10, () => 0.05),
    );
    expect(d?.values).toHaveLength(40);
  });

  it('is null when the shapes differ, even with as many cells (4 x 10 against 10 x 4, or T x T)', () => {
    expect(
      difference(
        map(4, 10, () => 0),
        map(10, 4, () => 0),
      ),
    ).toBeNull();
    expect(
      difference(
        map(4, 4, () => 0),
        map(2, 8, () => 0),
      ),
    ).toBeNull();
    expect(
      difference(
        map(4, 10, () => 0),
        map(10, 10, () => 0),
      ),
    ).toBeNull();
  });
});
