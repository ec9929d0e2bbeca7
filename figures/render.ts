import { readFileSync } from 'node:fs';
import type { FigureKind } from './kinds';
import { withDpi } from './png';
import { FONT_SUBSETS, fontCssOf } from './export-format';
import { figureSvg } from './svg';
import { ensureSvelteLoader } from './compile/svelte-loader';

/**
 * Server-side rendering of the figure components: SVG by svelte/server's render() (figureSvg, shared with the
 * app's download buttons), PNG by resvg with the vendored DejaVu fonts (resvg ignores @font-face and silently drops text it
 * has no font for, so the font files are passed explicitly and system fonts are never consulted).
 */

const FONTS = new URL('../static/fonts/', import.meta.url);
export const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => new URL(f, FONTS).pathname);

let registry: typeof import('./registry') | null = null;
async function components() {
  ensureSvelteLoader();
  registry ??= await import('./registry');
  return registry;
}

let fontCss: string | null = null;
/** @font-face rules embedding the subset fonts (Latin-1 and the symbols the figures use) as data: URIs. */
export function embeddedFontCss(): string {
  const read = (f: string) => new Uint8Array(readFileSync(new URL(f, FONTS)));
  fontCss ??= fontCssOf(read(FONT_SUBSETS.regular), read(FONT_SUBSETS.bold));
  return fontCss;
}

export interface RenderOptions {
  /** embed the font (default true; snapshot tests leave it out to keep the files small) */
  embedFont?: boolean;
}

/** One figure as a standalone SVG document. `props.meta` is the FigureMeta (fontCss is filled in here). */
export async function renderSvg(
  kind: FigureKind,
  props: { meta: Record<string, unknown> } & Record<string, unknown>,
  opts: RenderOptions = {},
): Promise<string> {
  const { FIGURES } = await components();
  return figureSvg(FIGURES[kind], props, opts.embedFont === false ? '' : embeddedFontCss());
}

export interface PngOptions {
  /** zoom relative to 96 px per inch (CSS px); dpi / 96 */
  scale?: number;
}

let resvg: typeof import('@resvg/resvg-js') | null = null;

/** Rasterise an SVG with resvg and the vendored fonts. */
export async function svgToPng(svg: string, opts: PngOptions = {}): Promise<Uint8Array> {
  resvg ??= await import('@resvg/resvg-js');
  const r = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: '#ffffff',
    imageRendering: 1,
    font: {
      loadSystemFonts: false,
      fontFiles: FONT_FILES,
      defaultFontFamily: 'DejaVu Sans',
      sansSerifFamily: 'DejaVu Sans',
    },
  });
  return withDpi(r.render().asPng(), opts.scale ?? 2);
}
