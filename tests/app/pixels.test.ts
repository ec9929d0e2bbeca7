import { beforeAll, describe, expect, test } from 'vitest';
import { packedColors, signedScale, weightScale, type Scale } from '../../src/lib/charts/color';
import { heatmapPixels, windowPixels } from '../../src/lib/charts/pixels';

// Node has no ImageData: the canvas's pixel buffer is all these functions use of it.
beforeAll(() => {
  globalThis.ImageData ??= class {
    data: Uint8ClampedArray;
    constructor(
      readonly width: number,
      readonly height: number,
    ) {
      this.data = new Uint8ClampedArray(width * height * 4);
    }
  } as unknown as typeof ImageData;
});

const words = (image: ImageData) => new Uint32Array(image.data.buffer, 0, image.width * image.height);

/** A rows x cols matrix of weights in [0, 1] with a NaN and values past both ends of the domain. */
function matrix(rows: number, cols: number): Float32Array {
  const v = Float32Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 1000) / 999);
  v[5] = NaN;
  v[6] = -0.5;
  v[7] = 1.5;
  return v;
}

describe('heatmap pixels are the scale colour of each cell', () => {
  const [rows, cols] = [37, 53];
  const values = matrix(rows, cols);
  const cases: [string, Scale][] = [
    ['viridis', weightScale()],
    ['diverging', signedScale(1)],
  ];

  test.each(cases)('every cell, one pixel each (%s)', (_, color) => {
    const word = packedColors(color);
    for (const v of [values, Array.from(values)]) {
      const got = words(heatmapPixels(v, rows, cols, color));
      expect(got.length).toBe(rows * cols);
      got.forEach((w, i) => expect(w, `cell ${i}`).toBe(word(values[i])));
    }
  });

  test.each(cases)('a window: pixel (x, y) is cell (r0 + y, c0 + x) (%s)', (_, color) => {
    const word = packedColors(color);
    const win = { r0: 3, r1: 30, c0: 10, c1: 41 };
    const image = windowPixels(values.slice(), rows, cols, color, win);
    expect([image.width, image.height]).toEqual([31, 27]);
    const got = words(image);
    for (let y = 0; y < 27; y++)
      for (let x = 0; x < 31; x++) expect(got[y * 31 + x]).toBe(word(values[(3 + y) * cols + 10 + x]));
  });

  test.each(cases)('a smaller image takes the cell under each pixel centre (%s)', (_, color) => {
    const word = packedColors(color);
    const [h, w] = [10, 20];
    const got = words(heatmapPixels(values.slice(), rows, cols, color, h, w));
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const [r, c] = [Math.floor(((y + 0.5) * rows) / h), Math.floor(((x + 0.5) * cols) / w)];
        expect(got[y * w + x]).toBe(word(values[r * cols + c]));
      }
  });
});
