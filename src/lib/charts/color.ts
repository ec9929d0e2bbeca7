import { scaleDiverging, scaleSequential, type ScaleSequential } from 'd3-scale';
import { interpolatePuOr, interpolateViridis } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';

export type ColorScale = ScaleSequential<string>;

/** What the charts need of a colour scale: a colour per value and the domain (2 stops, or 3 for diverging). */
export interface Scale {
  (v: number): string;
  domain(): number[];
}

/**
 * Attention weights are probabilities, so the domain is fixed at [0, 1] for every head: the same colour means
 * the same weight in every panel. Viridis is perceptually uniform, readable in greyscale and colour-blind safe.
 */
export function weightScale(): ColorScale {
  return scaleSequential(interpolateViridis).domain([0, 1]).clamp(true);
}

/** Magnitudes in [0, max] (|w| of conv filters), on the same viridis ramp. */
export function magnitudeScale(max: number): ColorScale {
  return scaleSequential(interpolateViridis)
    .domain([0, max > 0 ? max : 1])
    .clamp(true);
}

/**
 * Signed values in [-max, max] (a difference of two attention maps, signed conv weights): purple-orange, a
 * diverging scheme that stays readable for the common colour-vision deficiencies; white is 0.
 */
export function signedScale(max: number): Scale {
  const m = max > 0 ? max : 1;
  return scaleDiverging(interpolatePuOr).domain([-m, 0, m]).clamp(true);
}

/** [r, g, b] bytes of a scale's colour for v, cached per colour string (viridis has 256 distinct ones). */
export function rgbBytes(scale: Scale): (v: number) => [number, number, number] {
  const cache = new Map<string, [number, number, number]>();
  return (v) => {
    const key = scale(v);
    let bytes = cache.get(key);
    if (!bytes) {
      const c = rgb(key);
      bytes = [Math.round(c.r), Math.round(c.g), Math.round(c.b)];
      cache.set(key, bytes);
    }
    return bytes;
  };
}

/** The 256 viridis colours as packed RGBA words (see packedColors), built on first use. */
let viridisWords: Uint32Array | null = null;

/** Byte order of a Uint32Array over canvas pixel bytes (r, g, b, a in memory order). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const pack = (r: number, g: number, b: number): number =>
  (LITTLE_ENDIAN ? (255 << 24) | (b << 16) | (g << 8) | r : (r << 24) | (g << 16) | (b << 8) | 255) >>> 0;

/** A viridis scale as the ramp it is: colour words[floor(t * 256)] for t = (v - x0) * k10 in [0, 1]. */
export interface ViridisRamp {
  words: Uint32Array;
  x0: number;
  /** 1 / (x1 - x0), or 0 for an empty domain (d3 then takes t = 0.5). */
  k10: number;
}

/**
 * The ramp of a d3 viridis scale over a 2-stop domain (weightScale, magnitudeScale), else null. d3's viridis
 * is a ramp of 256 colours, colors[floor(t * 256)] for the clamped t = (v - d0) / (d1 - d0) (d3-scale's own
 * arithmetic; clamping the scale or not picks the same end colours, the ramp clamps its index), so reading
 * words by that index is exactly the scale's colour, without building a colour string per value.
 */
export function viridisRamp(scale: Scale): ViridisRamp | null {
  const s = scale as Partial<ScaleSequential<string>> & Scale;
  const domain = scale.domain();
  if (typeof s.interpolator !== 'function' || s.interpolator() !== interpolateViridis || domain.length !== 2)
    return null;
  if (!viridisWords) {
    viridisWords = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      const c = rgb(interpolateViridis((i + 0.5) / 256));
      viridisWords[i] = pack(Math.round(c.r), Math.round(c.g), Math.round(c.b));
    }
  }
  const [x0, x1] = domain.map(Number);
  return { words: viridisWords, x0, k10: x0 === x1 ? 0 : 1 / (x1 - x0) };
}

/** An opaque black pixel word (what a NaN draws). */
export const BLACK = pack(0, 0, 0);

/**
 * A scale as value -> RGBA pixel word (opaque), for writing a Uint32Array view of ImageData: the bytes
 * rgbBytes gives, in memory order r, g, b, 255: a viridis scale by its ramp (viridisRamp), any other through
 * rgbBytes' string cache. NaN draws black, as rgbBytes does.
 */
export function packedColors(scale: Scale): (v: number) => number {
  const ramp = viridisRamp(scale);
  if (ramp) {
    const { words, x0, k10 } = ramp;
    return (v) => {
      if (v == null || isNaN((v = +v))) return BLACK;
      const t = k10 === 0 ? 0.5 : (v - x0) * k10;
      return words[t <= 0 ? 0 : t >= 1 ? 255 : Math.floor(t * 256)];
    };
  }
  const bytes = rgbBytes(scale);
  return (v) => {
    const [r, g, b] = bytes(v);
    return Number.isNaN(r) ? BLACK : pack(r, g, b);
  };
}
