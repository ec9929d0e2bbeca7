/**
 * Text drawn on canvases: the heatmap tooltip's lines and the cursor's axis labels. A canvas's pixels change
 * without a layout of the page, which new text in an element costs on every cursor move.
 *
 * Each canvas is drawn through an OffscreenCanvas it hands its control to (contextOf): setting the font of a
 * canvas context in the document makes Blink bring the page's style up to date first, a full style
 * recalculation on a cursor move that has just changed the page (~0.4 ms at 512 tokens).
 */

/** A run of text: plain, a token (monospace on a tint, as in the token strip), bold or muted. */
export type Span = string | { text: string; token?: boolean; bold?: boolean; muted?: boolean };
export type Line = Span[];

interface Size {
  width: number;
  height: number;
}

const FONT = '12px system-ui, sans-serif';
const BOLD = `600 ${FONT}`;
const MONO = "600 12px ui-monospace, 'DejaVu Sans Mono', monospace";
const LINE_HEIGHT = 16;
const PAD = { x: 8, y: 5 };
const TOKEN_PAD = 3;
/** The font of a cursor's axis label: the tick labels' monospace, bold. */
const LABEL_FONT = "700 11px ui-monospace, 'DejaVu Sans Mono', monospace";

const fontOf = (s: Span) => (typeof s === 'string' || (!s.token && !s.bold) ? FONT : s.token ? MONO : BOLD);
const textOf = (s: Span) => (typeof s === 'string' ? s : s.text);
const padOf = (s: Span) => (typeof s !== 'string' && s.token ? TOKEN_PAD : 0);

/** The words of `lines`, as a screen reader reads them: lines joined by semicolons. */
export const textOfLines = (lines: Line[]): string =>
  lines.map((line) => line.map(textOf).join('')).join('; ');

/** Set a context's font unless it has it already: parsing a font string is the slow part of a few words. */
const fonts = new WeakMap<object, string>();
function useFont(ctx: OffscreenCanvasRenderingContext2D, font: string): void {
  if (fonts.get(ctx) === font) return;
  ctx.font = font;
  fonts.set(ctx, font);
}

/** Text widths by font and text: the tooltip measures the same words (names, tokens, positions) over again. */
const widthCache = new Map<string, number>();
function widthOf(ctx: OffscreenCanvasRenderingContext2D, font: string, text: string): number {
  const key = `${font}\u0000${text}`;
  let w = widthCache.get(key);
  if (w === undefined) {
    if (widthCache.size > 20_000) widthCache.clear();
    useFont(ctx, font);
    w = ctx.measureText(text).width;
    widthCache.set(key, w);
  }
  return w;
}

/**
 * The 2D context of `canvas` moved off the document (transferControlToOffscreen, once per canvas): what is
 * drawn there reaches the screen without Blink painting the element again, and setting a font there does not
 * make Blink restyle the page first (as it does for a canvas context in the document). Null where the browser
 * cannot.
 */
const controlled = new WeakMap<HTMLCanvasElement, OffscreenCanvasRenderingContext2D | null>();
function contextOf(canvas: HTMLCanvasElement): OffscreenCanvasRenderingContext2D | null {
  let ctx = controlled.get(canvas);
  if (ctx === undefined) {
    try {
      ctx = canvas.transferControlToOffscreen().getContext('2d');
    } catch {
      ctx = null;
    }
    controlled.set(canvas, ctx);
  }
  return ctx;
}

/**
 * Run `draw` on `canvas` cleared to width x height CSS pixels at the device pixel ratio, its origin at the
 * top-left corner.
 */
function paint(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  draw: (ctx: OffscreenCanvasRenderingContext2D) => void,
): void {
  const ctx = contextOf(canvas);
  if (!ctx) return;
  const dpr = window.devicePixelRatio || 1;
  const [w, h] = [Math.max(1, Math.ceil(width * dpr)), Math.max(1, Math.ceil(height * dpr))];
  if (ctx.canvas.width !== w || ctx.canvas.height !== h) {
    [ctx.canvas.width, ctx.canvas.height] = [w, h];
    fonts.delete(ctx); // a resize resets the context's state
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  draw(ctx);
}

/** The CSS size of the box `lines` need, never smaller than `atLeast`. */
function measureLines(ctx: OffscreenCanvasRenderingContext2D, lines: Line[], atLeast: Size) {
  const widths = lines.map((line) => line.map((s) => widthOf(ctx, fontOf(s), textOf(s))));
  const longest = Math.max(
    ...lines.map((line, i) => line.reduce((w, s, j) => w + widths[i][j] + 2 * padOf(s), 0)),
  );
  const size = {
    width: Math.max(atLeast.width, Math.ceil(longest + 2 * PAD.x)),
    height: Math.max(atLeast.height, lines.length * LINE_HEIGHT + 2 * PAD.y),
  };
  return { widths, size };
}

/**
 * Draw `lines` on `canvas` and return the CSS size of the box they need, never smaller than `atLeast` (so
 * that a tooltip does not change size with every move).
 */
export function drawLines(canvas: HTMLCanvasElement, lines: Line[], atLeast: Size): Size {
  const ctx = contextOf(canvas);
  if (!ctx) return atLeast;
  const { widths, size } = measureLines(ctx, lines, atLeast);
  paint(canvas, size.width, size.height, (ctx) => {
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    lines.forEach((line, i) => {
      const y = PAD.y + (i + 0.5) * LINE_HEIGHT;
      let x = PAD.x;
      line.forEach((s, j) => {
        const pad = padOf(s);
        if (pad) {
          ctx.fillStyle = '#f1f5f9';
          ctx.fillRect(x, y - LINE_HEIGHT / 2 + 1, widths[i][j] + 2 * pad, LINE_HEIGHT - 2);
        }
        useFont(ctx, fontOf(s));
        ctx.fillStyle = typeof s !== 'string' && s.muted ? '#666' : '#111';
        ctx.fillText(textOf(s), x + pad, y);
        x += widths[i][j] + 2 * pad;
      });
    });
  });
  return size;
}

/**
 * An axis label on a width x height (CSS pixels) canvas, bold on a white box so that it reads over the other
 * labels: right-aligned 4 px from the right edge and centred vertically, or, when `vertical`, reading upwards
 * from 4 px above the bottom edge and centred horizontally (a column label, rotated as the ticks are).
 */
export function drawLabel(
  canvas: HTMLCanvasElement,
  text: string,
  width: number,
  height: number,
  vertical: boolean,
): void {
  paint(canvas, width, height, (ctx) => {
    if (vertical) {
      ctx.translate(width / 2, height - 4);
      ctx.rotate(-Math.PI / 2);
    } else ctx.translate(width - 4, height / 2);
    const length = widthOf(ctx, LABEL_FONT, text);
    ctx.fillStyle = '#fff';
    ctx.fillRect(vertical ? -1 : -length - 1, -7, length + 2, 14);
    useFont(ctx, LABEL_FONT);
    ctx.textAlign = vertical ? 'left' : 'right';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#000';
    ctx.fillText(text, 0, 0);
  });
}
