import { BLACK, packedColors, viridisRamp, type Scale } from './color';

interface Made {
  color: Scale;
  rows: number;
  cols: number;
  height: number;
  width: number;
  image: ImageData;
}

/** The last pixels made of each values array (the page draws one head as a thumbnail and enlarged). */
const made = new WeakMap<object, Made>();

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
  const hit = made.get(values);
  if (
    hit &&
    hit.color === color &&
    hit.rows === rows &&
    hit.cols === cols &&
    hit.height === height &&
    hit.width === width
  )
    return hit.image;
  const image = new ImageData(width, height);
  const words = new Uint32Array(image.data.buffer, image.data.byteOffset, width * height);
  const word = packedColors(color);
  const ramp = viridisRamp(color);
  if (height === rows && width === cols && ramp && values instanceof Float32Array && ramp.k10 !== 0) {
    rampFloat32(values, words, ramp.words, ramp.x0, ramp.k10);
  } else if (height === rows && width === cols && ramp) {
    for (let i = 0; i < words.length; i++) words[i] = word(values[i]);
  } else if (height === rows && width === cols) {
    for (let i = 0; i < words.length; i++) words[i] = word(values[i]);
  } else {
    const colOf = Int32Array.from({ length: width }, (_, x) => Math.floor(((x + 0.5) * cols) / width));
    for (let y = 0; y < height; y++) {
      const row = Math.floor(((y + 0.5) * rows) / height) * cols;
      for (let x = 0; x < width; x++) words[y * width + x] = word(values[row + colOf[x]]);
    }
  }
  made.set(values, { color, rows, cols, height, width, image });
  return image;
}

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
