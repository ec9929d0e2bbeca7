import { BLACK, packedColors, viridisRamp, type Scale } from './color';
import type { CellWindow } from './cell-window';

interface Made {
  color: Scale;
  /** What was drawn: a key of the arguments (matrix size, image size, window). */
  key: string;
  image: ImageData;
}

/** The last pixels made of each values array (the page draws one head as a thumbnail and enlarged). */
const made = new WeakMap<object, Made>();

function cached(values: ArrayLike<number>, color: Scale, key: string, make: () => ImageData): ImageData {
  const hit = made.get(values);
  if (hit && hit.color === color && hit.key === key) return hit.image;
  const image = make();
  made.set(values, { color, key, image });
  return image;
}

/**
 * A rows x cols matrix as opaque canvas pixels in the scale's colours: one pixel per cell (cell (r, c) is
 * pixel (x = c, y = r)) when height x width is rows x cols; a smaller image (a thumbnail of a long text) takes
 * for each pixel the cell under its centre, as nearest-neighbour scaling of the full image would. Written as
 * one 32-bit word per pixel; kept per values array (weakly), so drawing the same array again at the same size
 * reuses it. The app never changes a values array in place.
 */
export function heatmapPixels(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  color: Scale,
  height = rows,
  width = cols,
): ImageData {
  if (height === rows && width === cols)
    return windowPixels(values, rows, cols, color, { r0: 0, r1: rows, c0: 0, c1: cols });
  return cached(values, color, `${rows}x${cols}>${height}x${width}`, () => {
    const image = new ImageData(width, height);
    // The cell under each pixel's centre, gathered (exactly: the same array type), then coloured as a row is.
    const picked =
      values instanceof Float32Array ? new Float32Array(width * height) : new Float64Array(width * height);
    const colOf = Int32Array.from({ length: width }, (_, x) => Math.floor(((x + 0.5) * cols) / width));
    for (let y = 0; y < height; y++) {
      const row = Math.floor(((y + 0.5) * rows) / height) * cols;
      for (let x = 0; x < width; x++) picked[y * width + x] = values[row + colOf[x]];
    }
    colour(picked, 0, picked.length, wordsOf(image), color);
    return image;
  });
}

/**
 * Cells [r0, r1) x [c0, c1) of a rows x cols matrix, one pixel per cell: pixel (x, y) is cell (r0 + y, c0 + x).
 * A large heatmap draws only the part its frame shows (cell-window.ts). Kept per values array, as above.
 */
export function windowPixels(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  color: Scale,
  { r0, r1, c0, c1 }: CellWindow,
): ImageData {
  return cached(values, color, `${rows}x${cols}[${r0},${r1})x[${c0},${c1})`, () => {
    const [height, width] = [r1 - r0, c1 - c0];
    const image = new ImageData(width, height);
    const words = wordsOf(image);
    // Whole rows are one contiguous run of the row-major values; otherwise one run per row.
    const runs = width === cols ? [[r0 * cols, height * width, 0]] : rowRuns(r0, r1, c0, cols, width);
    for (const [from, n, at] of runs) colour(values, from, n, words.subarray(at, at + n), color);
    return image;
  });
}

/** [first value, count, first pixel] of each row of a window. */
function rowRuns(r0: number, r1: number, c0: number, cols: number, width: number): number[][] {
  return Array.from({ length: r1 - r0 }, (_, y) => [(r0 + y) * cols + c0, width, y * width]);
}

/** Values [from, from + n) as pixels: the inlined viridis ramp over a Float32Array, else the scale's colours. */
function colour(values: ArrayLike<number>, from: number, n: number, out: Uint32Array, color: Scale): void {
  const ramp = viridisRamp(color);
  if (ramp && values instanceof Float32Array && ramp.k10 !== 0)
    return rampFloat32(values.subarray(from, from + n), out, ramp.words, ramp.x0, ramp.k10);
  const word = packedColors(color);
  for (let i = 0; i < n; i++) out[i] = word(values[from + i]);
}

const wordsOf = (image: ImageData) =>
  new Uint32Array(image.data.buffer, image.data.byteOffset, image.width * image.height);

/**
 * The hot loop of a long text (4M cells at 2048 tokens): packedColors' viridis arithmetic inlined over a
 * Float32Array (a value in (0, 1) scaled by 256 truncates as Math.floor does).
 */
function rampFloat32(
  values: Float32Array,
  out: Uint32Array,
  ramp: Uint32Array,
  x0: number,
  k10: number,
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const t = (values[i] - x0) * k10;
    out[i] = t > 0 ? (t < 1 ? ramp[(t * 256) | 0] : ramp[255]) : t <= 0 ? ramp[0] : BLACK;
  }
}
