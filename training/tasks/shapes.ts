import { UsageError } from '../../format/errors';
import type { Rng } from '../random';

/**
 * Shapes (seed 003, after F. Fleuret's attention lecture): a 1-D signal with triangles and rectangles of
 * random heights; the target keeps every shape in place but gives all shapes of one kind the average height
 * of that kind. A conv net must see every shape of a kind to know the average: that is what attention buys.
 * Regression with MSE; the input gets Gaussian noise, the target does not.
 */
export interface ShapesConfig {
  /** signal length (100 in the seed) */
  size: number;
  /** heights are uniform in [1, maxHeight] before scaling by 1/maxHeight (max_height=50 in the seed) */
  maxHeight: number;
  /** shapes of each kind per sample */
  perKind: number;
  /** shape width range in cells */
  width: [number, number];
  noiseStd: number;
}

export const SHAPES_DEFAULTS: ShapesConfig = {
  size: 100,
  maxHeight: 50,
  perKind: 2,
  width: [8, 16],
  noiseStd: 0.3,
};

export interface ShapesSample {
  input: Float32Array;
  target: Float32Array;
  shapes: { kind: 'triangle' | 'rectangle'; start: number; width: number; height: number }[];
}

export function validateShapes(c: ShapesConfig): void {
  const need = 2 * c.perKind * c.width[1];
  if (!(c.width[0] >= 2 && c.width[0] <= c.width[1]))
    throw new UsageError(`shape widths must be MIN,MAX with 2 <= MIN <= MAX`);
  if (need > c.size)
    throw new UsageError(
      `a signal of ${c.size} cells cannot hold ${2 * c.perKind} shapes of width up to ${c.width[1]}`,
    );
}

function draw(
  kind: 'triangle' | 'rectangle',
  out: Float32Array,
  start: number,
  width: number,
  height: number,
) {
  for (let i = 0; i < width; i++) {
    // a triangle rises linearly to its peak in the middle and falls back
    const v = kind === 'rectangle' ? height : height * (1 - Math.abs((2 * i + 1) / width - 1));
    out[start + i] = v;
  }
}

export function shapesSample(c: ShapesConfig, rng: Rng): ShapesSample {
  const kinds: ('triangle' | 'rectangle')[] = [];
  for (let i = 0; i < c.perKind; i++) kinds.push('triangle', 'rectangle');
  const order = rng.sample(kinds, kinds.length);
  const widths = order.map(() => c.width[0] + rng.int(c.width[1] - c.width[0] + 1));
  // place shapes left to right with random gaps that add up to the free space
  const free = c.size - widths.reduce((a, b) => a + b, 0);
  const cuts = Array.from({ length: order.length }, () => rng.int(free + 1)).sort((a, b) => a - b);
  const shapes: ShapesSample['shapes'] = [];
  let pos = 0;
  let prevCut = 0;
  order.forEach((kind, i) => {
    pos += cuts[i] - prevCut;
    prevCut = cuts[i];
    shapes.push({ kind, start: pos, width: widths[i], height: (1 + rng.int(c.maxHeight)) / c.maxHeight });
    pos += widths[i];
  });
  const input = new Float32Array(c.size);
  const target = new Float32Array(c.size);
  const mean = (k: string) => {
    const hs = shapes.filter((s) => s.kind === k).map((s) => s.height);
    return hs.reduce((a, b) => a + b, 0) / hs.length;
  };
  const avg = { triangle: mean('triangle'), rectangle: mean('rectangle') };
  for (const s of shapes) {
    draw(s.kind, input, s.start, s.width, s.height);
    draw(s.kind, target, s.start, s.width, avg[s.kind]);
  }
  for (let i = 0; i < c.size; i++) input[i] += (c.noiseStd * rng.normal()) / c.maxHeight;
  return { input, target, shapes };
}
