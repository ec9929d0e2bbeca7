import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, figureProps } from '../../bin/figures/build';
import type { Opened } from '../../bin/figures/data';
import { renderSvg } from '../../bin/figures/render';
import { FIGURE_KINDS, type FigureKind } from '../../src/lib/figures/kinds';
import { MODEL, PLAIN, SNAP, TEXT, cli, curvesRun, tmpDir } from './fixture';

/**
 * Deterministic SVG snapshots of every figure kind on the reference model. On a mismatch the new SVG is
 * written beside the snapshot as KIND.actual.svg and the test fails; UPDATE_SNAPSHOTS=1 rewrites them.
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

function matchSnapshot(name: string, svg: string): void {
  const file = path.join(SNAP, `${name}.svg`);
  const actual = path.join(SNAP, `${name}.actual.svg`);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    writeFileSync(file, svg);
    rmSync(actual, { force: true });
    return;
  }
  if (readFileSync(file, 'utf8') === svg) {
    rmSync(actual, { force: true });
    return;
  }
  writeFileSync(actual, svg);
  expect.fail(`${name}.svg differs from its snapshot: see ${actual} (UPDATE_SNAPSHOTS=1 to accept)`);
}

describe('figure snapshots', () => {
  for (const kind of FIGURE_KINDS) {
    it(kind, async () => {
      const svg = await svgOf(kind);
      expect(svg.startsWith('<?xml')).toBe(true);
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(svg).not.toContain('<!--');
      expect(svg).not.toMatch(/\d\.\d{5,}/); // coordinates are rounded
      matchSnapshot(kind, svg);
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
