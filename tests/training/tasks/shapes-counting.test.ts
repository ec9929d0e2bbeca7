import { describe, expect, it } from 'vitest';
import { SHAPES_DEFAULTS, shapesSample, validateShapes } from '../../../training/tasks/shapes';
import {
  countingCompositions,
  countingSample,
  countingTarget,
  validateCounting,
} from '../../../training/tasks/counting';
import { Rng } from '../../../training/random';

describe('shapes (seed 003)', () => {
  it('keeps every shape in place and gives each kind its average height in the target', () => {
    const rng = new Rng(2);
    for (let n = 0; n < 50; n++) {
      const s = shapesSample(SHAPES_DEFAULTS, rng);
      expect(s.input.length).toBe(100);
      expect(s.shapes.filter((x) => x.kind === 'triangle').length).toBe(2);
      // shapes do not overlap and stay inside the signal
      const sorted = [...s.shapes].sort((a, b) => a.start - b.start);
      sorted.forEach((x, i) => {
        expect(x.start + x.width).toBeLessThanOrEqual(i + 1 < sorted.length ? sorted[i + 1].start : 100);
      });
      for (const kind of ['triangle', 'rectangle'] as const) {
        const hs = s.shapes.filter((x) => x.kind === kind);
        const avg = hs.reduce((a, x) => a + x.height, 0) / hs.length;
        for (const x of hs) {
          const peak = Math.max(...s.target.slice(x.start, x.start + x.width));
          // a triangle of odd width peaks at its height; of even width, one half-step below it
          const peakFactor = kind === 'rectangle' || x.width % 2 ? 1 : 1 - 1 / x.width;
          expect(peak).toBeCloseTo(avg * peakFactor, 5);
        }
      }
      // outside the shapes the target is exactly 0
      const covered = new Set(
        s.shapes.flatMap((x) => Array.from({ length: x.width }, (_, i) => x.start + i)),
      );
      for (let i = 0; i < 100; i++) if (!covered.has(i)) expect(s.target[i]).toBe(0);
    }
  });

  it('refuses a signal too short for its shapes', () => {
    expect(() => validateShapes({ ...SHAPES_DEFAULTS, size: 40 })).toThrow(/cannot hold 4 shapes/);
  });
});

describe('counting / difference (seed 004)', () => {
  it("counts each letter and appends |count(A) - count(B)|: 'AB BC' gives [1, 2, 1, 1]", () => {
    expect(countingTarget('AB BC', 3)).toEqual([1, 2, 1, 1]);
    expect(countingTarget('A AABC CB ', 3)).toEqual([3, 2, 2, 1]);
  });

  it('generates inputs of letters and blanks whose targets are their counts', () => {
    const rng = new Rng(4);
    const s = countingSample({ length: 10, letters: 3, blank: 0.25 }, rng);
    expect(s.input).toMatch(/^[ABC ]{10}$/);
    expect(s.target).toEqual(countingTarget(s.input, 3));
    expect(s.target.slice(0, 3).reduce((a, b) => a + b, 0)).toBe(s.input.replace(/ /g, '').length);
  });

  it('enumerates the 286 compositions of 10 positions over blank + 3 letters, with multinomial probabilities', () => {
    const all = countingCompositions({ length: 10, letters: 3, blank: 0.25 });
    expect(all).toHaveLength(286); // C(13, 3)
    expect(new Set(all.map((c) => c.input)).size).toBe(286);
    expect(Math.abs(all.reduce((a, c) => a + c.p, 0) - 1)).toBeLessThan(1e-12);
    // Ten A's: 0.25^10; one of each letter and 7 blanks: 10! / 7! x 0.25^10.
    expect(all.find((c) => c.input === 'AAAAAAAAAA')!.p).toBeCloseTo(0.25 ** 10, 15);
    const mixed = all.find((c) => c.input === '       ABC')!;
    expect(mixed.p).toBeCloseTo(720 * 0.25 ** 10, 15);
    expect(mixed.target).toEqual([1, 1, 1, 0]);
    // No blanks at all: compositions with a blank have probability 0, and none is NaN.
    const noBlank = countingCompositions({ length: 4, letters: 2, blank: 0 });
    expect(noBlank.filter((c) => c.p > 0).map((c) => c.input)).toEqual([
      'BBBB',
      'ABBB',
      'AABB',
      'AAAB',
      'AAAA',
    ]);
    expect(noBlank.every((c) => Number.isFinite(c.p))).toBe(true);
  });

  it('refuses a single letter (no difference to take)', () => {
    expect(() => validateCounting({ length: 10, letters: 1, blank: 0.2 })).toThrow(/difference needs two/);
  });
});
