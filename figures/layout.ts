import { SIZE, WIDTH_PT, wrapText, type FigureWidth } from './style';

/** What every figure is told about itself: the words around it and where it goes. */
export interface FigureMeta {
  /** Prefix for element ids (gradients), so several figures can share one HTML page. */
  id: string;
  title: string;
  /** Checkpoint, input and settings that produced the figure. */
  caption: string;
  width: FigureWidth;
  /** @font-face rules with the embedded font (style.ts fontFaceCss); empty leaves the font to the viewer. */
  fontCss?: string;
}

export interface Frame {
  width: number;
  height: number;
  titleLines: string[];
  captionLines: string[];
  /** y of the top of the plot area */
  plotTop: number;
  /** y of the first caption baseline */
  captionTop: number;
  /** inner width available to the plot (the figure width minus side padding) */
  inner: number;
  pad: number;
}

const PAD = 4;
const LEADING = 1.25;

/** Title above, caption below, the plot of `plotHeight` pt in between. */
export function frame(meta: FigureMeta, plotHeight: number): Frame {
  const width = WIDTH_PT[meta.width];
  const inner = width - 2 * PAD;
  const titleLines = wrapText(meta.title, inner, SIZE.title, true);
  const captionLines = meta.caption ? wrapText(meta.caption, inner, SIZE.caption) : [];
  const titleH = titleLines.length * SIZE.title * LEADING;
  const plotTop = PAD + titleH + 4;
  const captionTop = plotTop + plotHeight + 6 + SIZE.caption;
  const captionH = captionLines.length * SIZE.caption * LEADING;
  const height = Math.ceil(plotTop + plotHeight + (captionLines.length ? 6 + captionH : 0) + PAD);
  return { width, height, titleLines, captionLines, plotTop, captionTop, inner, pad: PAD };
}

export const LINE = LEADING;

/** Which of `n` positions get a tick label when each cell is `cell` pt wide and labels are `size` pt. */
export function labelStep(n: number, cell: number, size: number): number {
  const need = size * 1.15;
  if (cell >= need) return 1;
  const nice = [2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128, 200, 256, 500, 1000];
  return nice.find((s) => s * cell >= need * 2.2) ?? Math.ceil(n / 4);
}
