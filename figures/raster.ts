import { rgb } from 'd3-color';
import { base64, palettePng } from './png';
import { MISSING } from './style';

/**
 * The raster core of a heatmap as an <image> data URI, the way Observable Plot's raster mark embeds one: cell
 * values are quantised to 255 colour levels (+1 for missing), and the image is pre-upscaled by an integer
 * factor with nearest-neighbour, so no consumer (browser, resvg, PDF viewer) ever resamples it.
 */

export interface Raster {
  href: string;
  /** pixels per cell */
  factor: number;
  width: number;
  height: number;
}

/** The integer upscale that makes the larger side at least `minPixels` (and never shrinks). */
export function upscaleFactor(rows: number, cols: number, minPixels = 512): number {
  return Math.max(1, Math.ceil(minPixels / Math.max(rows, cols, 1)));
}

/**
 * `values[r * cols + c]` mapped through `interpolate` over `domain`; values outside are clamped, NaN and
 * null are painted as missing.
 */
export function rasterHref(
  values: ArrayLike<number | null>,
  rows: number,
  cols: number,
  domain: [number, number],
  interpolate: (t: number) => string,
  factor = upscaleFactor(rows, cols),
): Raster {
  const levels = 255;
  const palette: number[][] = [];
  for (let i = 0; i < levels; i++) {
    const c = rgb(interpolate(i / (levels - 1)));
    palette.push([Math.round(c.r), Math.round(c.g), Math.round(c.b)]);
  }
  const m = rgb(MISSING);
  palette.push([m.r, m.g, m.b]);
  const [lo, hi] = domain;
  const span = hi - lo || 1;
  const W = cols * factor;
  const H = rows * factor;
  const index = new Uint8Array(W * H);
  for (let r = 0; r < rows; r++) {
    const line = index.subarray(r * factor * W, (r * factor + 1) * W);
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      let k = levels;
      if (v !== null && Number.isFinite(v)) {
        const t = Math.min(1, Math.max(0, (v - lo) / span));
        k = Math.round(t * (levels - 1));
      }
      line.fill(k, c * factor, (c + 1) * factor);
    }
    for (let j = 1; j < factor; j++)
      index.copyWithin((r * factor + j) * W, r * factor * W, (r * factor + 1) * W);
  }
  const png = palettePng(index, W, H, palette);
  return { href: `data:image/png;base64,${base64(png)}`, factor, width: W, height: H };
}
