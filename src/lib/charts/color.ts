import { scaleSequential, type ScaleSequential } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';

export type ColorScale = ScaleSequential<string>;

/**
 * Attention weights are probabilities, so the domain is fixed at [0, 1] for every head: the same colour means
 * the same weight in every panel. Viridis is perceptually uniform, readable in greyscale and colour-blind safe.
 */
export function weightScale(): ColorScale {
  return scaleSequential(interpolateViridis).domain([0, 1]).clamp(true);
}

/** [r, g, b] bytes of a scale's colour for v, cached per colour string (viridis has 256 distinct ones). */
export function rgbBytes(scale: ColorScale): (v: number) => [number, number, number] {
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
