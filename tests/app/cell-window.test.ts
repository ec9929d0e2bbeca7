import { describe, expect, test } from 'vitest';
import { BLOCK, cellWindow } from '../../src/lib/charts/cell-window';

describe('cellWindow: the cells a heatmap larger than its frame draws', () => {
  test('everything when nothing is known about what is visible', () => {
    expect(cellWindow(null, 3, 2048, 1000)).toEqual({ r0: 0, r1: 2048, c0: 0, c1: 1000 });
  });

  test('the visible cells plus the margin, widened to whole blocks', () => {
    // 3 px cells, a 600 x 300 px view scrolled to (900, 1500): columns 300..500, rows 500..600 are visible.
    const w = cellWindow({ left: 900, top: 1500, right: 1500, bottom: 1800 }, 3, 2048, 2048, 32);
    expect(w).toEqual({ r0: 448, r1: 640, c0: 256, c1: 576 });
    for (const v of Object.values(w)) expect(v % BLOCK).toBe(0);
  });

  test('clamped to the matrix at its edges, and empty when the view is past it', () => {
    expect(cellWindow({ left: -46, top: -46, right: 1300, bottom: 800 }, 3, 256, 100)).toEqual({
      r0: 0,
      r1: 256,
      c0: 0,
      c1: 100,
    });
    const past = cellWindow({ left: 9000, top: 0, right: 9600, bottom: 300 }, 3, 512, 512);
    expect(past.c1 - past.c0).toBe(0);
    expect(past.c0).toBe(512);
  });

  test('scrolling within a block keeps the same window (no redraw)', () => {
    const at = (x: number) => cellWindow({ left: x, top: 0, right: x + 600, bottom: 300 }, 3, 2048, 2048);
    expect(at(960)).toEqual(at(1000));
    expect(at(960)).not.toEqual(at(1400));
  });
});
