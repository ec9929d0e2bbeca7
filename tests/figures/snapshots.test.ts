import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, figureProps } from '../../bin/figures/build';
import type { Opened } from '../../bin/figures/data';
import { renderSvg } from '../../figures/render';
import { FIGURE_KINDS, type FigureKind } from '../../figures/kinds';
import { MODEL, PLAIN, SNAP, TEXT, cli, curvesRun, tmpDir } from './fixture';
import { matchSvgSnapshot } from './snapshot';

/**
 * Deterministic SVG snapshots of every figure kind on the reference model (rules in ./snapshot.ts: one element a
 * line, rasters in their own files, a missing snapshot fails in CI, KIND.actual.svg beside it on a mismatch).
 */
const cache = new Map<string, Opened>();
const curvesModel = curvesRun();
afterAll(() => closeAll(cache));

async function svgOf(kind: FigureKind): Promise<string> {
  const tokens = [Array.from(new TextEncoder().encode(TEXT))];
  const model = kind === 'curves' ? curvesModel : MODEL;
  const req = { kind, model, compare: PLAIN, tokens: kind === 'induction' ? null : tokens, text: TEXT };
  const props = await figureProps(kind, req, cache);
  return renderSvg(kind, props, { embedFont: false });
}

describe('figure snapshots', () => {
  for (const kind of FIGURE_KINDS) {
    it(kind, async () => {
      const svg = await svgOf(kind);
      expect(svg.startsWith('<?xml')).toBe(true);
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(svg).not.toContain('<!--');
      expect(svg).not.toMatch(/\d\.\d{5,}/); // coordinates are rounded
      matchSvgSnapshot(SNAP, kind, svg);
    });
  }

  it('the CLI renders the same SVG as the app components (font embedded)', async () => {
    const out = path.join(tmpDir('cli'), 'a.svg');
    const r = cli(['figure', 'attention', MODEL, '--text', TEXT, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toContain("@font-face{font-family:'DejaVu Sans'");
    const stripped = svg.replace(/<style>[\s\S]*?<\/style>/, '');
    expect(stripped).toBe(await svgOf('attention'));
  });
});
