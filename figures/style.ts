import { ADVANCE } from './metrics';

/**
 * Print styles for figures. One SVG user unit is one PostScript point (1/72 in): the root <svg> has width and
 * height in pt and a viewBox in the same numbers, so sizes below read as they would in a paper.
 */

export type FigureWidth = 'single' | 'double';

/** Column widths in points: 3.25 in (single column) and 6.75 in (two-column spread). */
export const WIDTH_PT: Record<FigureWidth, number> = { single: 234, double: 486 };

export const FONT_FAMILY = "'DejaVu Sans', sans-serif";

/** Text sizes in points. */
export const SIZE = { title: 8.5, label: 7, tick: 6, caption: 6.5, panel: 7 } as const;

/** Okabe-Ito: distinguishable under the common colour-vision deficiencies and in greyscale order. */
export const PALETTE = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // green
  '#D55E00', // vermillion
  '#CC79A7', // purple
  '#56B4E9', // sky
  '#F0E442', // yellow
  '#000000',
] as const;

export const INK = '#1a1a1a';
export const MUTED = '#595959';
export const RULE = '#b3b3b3';
export const FAINT = '#e6e6e6';
/** Fill for cells without a value (masked or NaN). */
export const MISSING = '#f2f2f2';

/** Stroke widths in points. */
export const STROKE = { axis: 0.5, line: 1, thin: 0.35 } as const;

/** Width of `text` at `size` pt in DejaVu Sans, from the font's own advance widths. */
export function textWidth(text: string, size: number, bold = false): number {
  const table = bold ? ADVANCE.bold : ADVANCE.regular;
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    w += c >= 32 && c < 127 ? table[c - 32] : table[110 - 32];
  }
  return (w / 1000) * size;
}

/** Greedy word wrap to `width` pt; a word longer than the line is broken at the width. */
export function wrapText(text: string, width: number, size: number, bold = false): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (textWidth(next, size, bold) <= width) {
        line = next;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (textWidth(line, size, bold) > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && textWidth(line.slice(0, cut), size, bold) > width) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/** Shorten `text` with an ellipsis so it fits `width` pt. */
export function fitText(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  let s = text;
  while (s.length > 1 && textWidth(`${s}…`, size) > width) s = s.slice(0, -1);
  return `${s}…`;
}

/** @font-face rules that embed the vendored fonts (data: URIs) so the SVG is self-contained. */
export function fontFaceCss(fonts: { regular: string; bold?: string }): string {
  const face = (uri: string, weight: string) =>
    `@font-face{font-family:'DejaVu Sans';font-weight:${weight};src:url(${uri}) format('truetype');}`;
  return face(fonts.regular, 'normal') + (fonts.bold ? face(fonts.bold, 'bold') : '');
}

/** Round for output: fixed decimals without trailing zeros, so snapshots do not churn on float noise. */
export function r(x: number, digits = 2): number {
  const f = 10 ** digits;
  const v = Math.round(x * f) / f;
  return Object.is(v, -0) ? 0 : v;
}

/** A short number label for ticks and captions: 3 significant digits, plain notation where sensible. */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(digits))).replace('-', '−');
  return x
    .toExponential(digits - 1)
    .replace('e+', 'e')
    .replace('-', '−');
}
