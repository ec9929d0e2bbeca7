import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { renderSvg, svgToPng } from '../../figures/render';

/** The PNG really has text: rendering with and without the <text> elements differs where the title is. */
const props = {
  meta: {
    id: 't',
    title: 'Attention pattern, layer 0 head 0',
    caption: 'fixture; 4 tokens',
    width: 'single',
  },
  tokens: ['a', 'b', 'c', 'd'],
  pattern: [
    [1, 0, 0, 0],
    [0.5, 0.5, 0, 0],
    [0.2, 0.3, 0.5, 0],
    [0.1, 0.2, 0.3, 0.4],
  ],
};

function pixels(png: Uint8Array) {
  // resvg decodes the PNG for us when it is the only thing in an SVG of the same size
  const v = new DataView(png.buffer, png.byteOffset);
  const [w, h] = [v.getUint32(16), v.getUint32(20)];
  const b64 = Buffer.from(png).toString('base64');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><image width="${w}" height="${h}" href="data:image/png;base64,${b64}"/></svg>`;
  const img = new Resvg(svg).render();
  return { data: img.pixels, width: img.width, height: img.height };
}

/** Dark pixels in the title box (top 20 pt of the figure at 2x zoom over 96 dpi). */
function darkInTitle(png: Uint8Array): { dark: number; total: number } {
  const { data, width } = pixels(png);
  const rows = Math.round((14 * 96) / 72) * 2;
  let dark = 0;
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (data[o] + data[o + 1] + data[o + 2] < 300) dark++;
    }
  return { dark, total: rows * width };
}

describe('PNG through resvg', () => {
  it('draws the title with the vendored font', async () => {
    const svg = await renderSvg('attention', props);
    const withText = await svgToPng(svg, { scale: 2 });
    const noText = await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ''), { scale: 2 });
    expect(Buffer.from(withText).subarray(1, 4).toString()).toBe('PNG');
    const a = darkInTitle(withText);
    const b = darkInTitle(noText);
    expect(b.dark).toBe(0);
    expect(a.dark).toBeGreaterThan(200);
  });

  it('scales with --scale', async () => {
    const svg = await renderSvg('attention', props);
    const one = pixels(await svgToPng(svg, { scale: 1 }));
    const three = pixels(await svgToPng(svg, { scale: 3 }));
    expect(one.width).toBe(312); // 234 pt = 3.25 in at 96 px/in
    expect(three.width).toBe(936);
  });
});
