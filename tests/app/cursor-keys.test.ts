import { describe, expect, test } from 'vitest';
import { cursorKey } from '../../src/lib/charts/cursor-keys';

describe("cursorKey: a heatmap's keyboard model", () => {
  test('arrows move within the matrix, from the top-left cell when there is no cursor', () => {
    expect(cursorKey('ArrowDown', null, false, 3, 5)).toEqual({ hover: { q: 1, k: 0 }, pinned: false });
    expect(cursorKey('ArrowRight', { q: 2, k: 4 }, true, 3, 5)).toEqual({
      hover: { q: 2, k: 4 },
      pinned: true,
    });
    expect(cursorKey('ArrowUp', { q: 0, k: 3 }, false, 3, 5)?.hover).toEqual({ q: 0, k: 3 });
    expect(cursorKey('ArrowLeft', { q: 1, k: 3 }, false, 3, 5)?.hover).toEqual({ q: 1, k: 2 });
  });

  test('Enter and Space toggle the pin (keeping the cursor), Escape clears, other keys mean nothing', () => {
    const at = { q: 1, k: 1 };
    expect(cursorKey('Enter', at, false, 3, 5)).toEqual({ hover: at, pinned: true });
    expect(cursorKey('Enter', at, false, 3, 5)?.hover).toBe(at);
    expect(cursorKey(' ', null, true, 3, 5)).toEqual({ hover: { q: 0, k: 0 }, pinned: false });
    expect(cursorKey('Escape', at, true, 3, 5)).toEqual({ hover: null, pinned: false });
    expect(cursorKey('a', at, true, 3, 5)).toBeNull();
  });
});
