import { describe, expect, it } from 'vitest';
import { selcopyLength, selcopySample, validateSelcopy } from '../../../training/tasks/selcopy';
import { Rng } from '../../../training/random';

describe('selective copying (seed 000)', () => {
  it('scatters the letters over the area and answers with them concatenated in order', () => {
    const rng = new Rng(0);
    for (const area of [40, 80]) {
      const s = selcopySample({ area, letters: 10 }, rng);
      expect(s.target.length).toBe(selcopyLength({ area, letters: 10 }));
      const [field, answer] = s.target.split(':');
      expect(field.length).toBe(area);
      expect(field.replace(/ /g, '')).toBe(answer);
      expect(answer).toMatch(/^[A-Z]{10}$/);
      expect([s.answerStart, s.answerEnd]).toEqual([area + 1, area + 11]);
      expect(s.input).toBe(`${field}:??????????`);
    }
  });

  it('is deterministic for a seed', () => {
    const a = selcopySample({ area: 40, letters: 10 }, new Rng(5));
    const b = selcopySample({ area: 40, letters: 10 }, new Rng(5));
    expect(a).toEqual(b);
  });

  it('refuses an area too small for the letters', () => {
    expect(() => validateSelcopy({ area: 8, letters: 10 })).toThrow(/--area 8 is too small for 10 letters/);
  });
});
