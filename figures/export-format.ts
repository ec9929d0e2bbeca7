import { base64 } from './png';
import { fontFaceCss } from './style';

/** What an exported figure file is made of, shared by the command line and the page's download buttons. */

/** The vendored subset fonts (static/fonts) that every exported SVG embeds. */
export const FONT_SUBSETS = { regular: 'DejaVuSans-subset.ttf', bold: 'DejaVuSans-Bold-subset.ttf' } as const;

/** The @font-face block for the subset fonts' bytes, as data: URIs. */
export function fontCssOf(regular: Uint8Array, bold: Uint8Array): string {
  const uri = (b: Uint8Array) => `data:font/ttf;base64,${base64(b)}`;
  return fontFaceCss({ regular: uri(regular), bold: uri(bold) });
}

/** PNG zoom over 96 px per inch: what --scale / --dpi and the page's resolution choice mean. */
export const PNG_SCALES = [
  { label: '1× (96 dpi)', scale: 1 },
  { label: '2× (192 dpi)', scale: 2 },
  { label: '300 dpi', scale: 300 / 96 },
] as const;

/** The size of a figure SVG's root in points (its width and height attributes). */
export function svgSizePt(svg: string): { width: number; height: number } {
  const m = /<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"/.exec(svg);
  if (!m) throw new Error('the figure SVG has no width and height in pt');
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** CSS px (96 per inch) of `pt` points at zoom `scale`, unrounded: where the drawing ends. */
export const pxOf = (pt: number, scale: number): number => ((pt * 96) / 72) * scale;

/**
 * The pixel size of the PNG of a figure SVG at `scale`, as resvg sizes it: points to CSS px (96 / 72), times
 * the zoom, rounded to the nearest pixel.
 */
export function pngSize(svg: string, scale: number): { width: number; height: number } {
  const pt = svgSizePt(svg);
  return { width: Math.round(pxOf(pt.width, scale)), height: Math.round(pxOf(pt.height, scale)) };
}
