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
