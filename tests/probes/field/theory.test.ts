import { describe, expect, it } from 'vitest';
import { centred, centredRadius, leftPadded, theoreticalField } from '../../../probes/field/theory';

describe('theoretical receptive field of a conv stack', () => {
  it('kernel 7, dilations 1,1,1 reaches radius 9 (width 19)', () => {
    const f = theoreticalField([1, 1, 1].map((d) => centred(7, d)));
    expect(f.radius).toBe(9);
    expect(f.support.length).toBe(19);
    expect(centredRadius([7, 7, 7], [1, 1, 1])).toBe(9);
  });

  it('kernel 13, dilations 5,7,1 reaches exactly radius 78 with no holes (width 157)', () => {
    const f = theoreticalField([5, 7, 1].map((d) => centred(13, d)));
    expect(f.radius).toBe(78);
    expect([f.back, f.forward]).toEqual([-78, 78]);
    expect(f.support.length).toBe(157);
    expect(f.sparse).toBe(false);
    expect(centredRadius([13, 13, 13], [5, 7, 1])).toBe(78);
  });

  it('kernel 3, dilations 2,2 has radius 4 but a sparse support {-4,-2,0,2,4}', () => {
    const f = theoreticalField([centred(3, 2), centred(3, 2)]);
    expect(f.radius).toBe(4);
    expect(f.support).toEqual([-4, -2, 0, 2, 4]);
    expect(f.sparse).toBe(true);
  });

  it('a left-padded causal stack k=7 x3 reads [-18, 0]', () => {
    const f = theoreticalField([1, 1, 1].map((d) => leftPadded(7, d)));
    expect([f.back, f.forward]).toEqual([-18, 0]);
  });

  it('kernel 3 with padding 1 and the future tap masked, 3 layers, reads [-3, 0]', () => {
    const f = theoreticalField([0, 1, 2].map(() => ({ ...centred(3, 1), deadTaps: [2] })));
    expect(f.support).toEqual([-3, -2, -1, 0]);
  });

  it('refuses the centred closed form for an even kernel', () => {
    expect(() => centredRadius([4], [1])).toThrow(/odd kernels/);
  });
});
