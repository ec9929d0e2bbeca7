import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { matchSvgSnapshot, readableSvg } from './snapshot';

const PNG = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');
const SVG = `<svg><g><rect></rect><image href="data:image/png;base64,${PNG}"></image><text x="1">a b</text></g></svg>`;
const env = { CI: process.env.CI, UPDATE_SNAPSHOTS: process.env.UPDATE_SNAPSHOTS };
afterEach(() => Object.assign(process.env, env));
const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'smallscope-snap-'));

describe('readableSvg', () => {
  it('puts one element on a line, indented by depth, with text nodes kept whole', () => {
    expect(readableSvg('x', SVG).svg).toBe(
      [
        '<svg>',
        '  <g>',
        '    <rect></rect>',
        '    <image href="x.0.png"></image>',
        '    <text x="1">a b</text>',
        '  </g>',
        '</svg>',
        '',
      ].join('\n'),
    );
  });

  it('takes each embedded PNG out as its own file, byte for byte', () => {
    expect(readableSvg('x', SVG).rasters.map((b) => b.toString('base64'))).toEqual([PNG]);
  });
});

describe('matchSvgSnapshot', () => {
  it('fails under CI when the snapshot is missing, and writes nothing', () => {
    process.env.CI = 'true';
    delete process.env.UPDATE_SNAPSHOTS;
    const dir = scratch();
    expect(() => matchSvgSnapshot(dir, 'x', SVG)).toThrow(/has no snapshot/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes a missing snapshot outside CI, and with UPDATE_SNAPSHOTS=1 in CI', () => {
    delete process.env.CI;
    const dir = scratch();
    matchSvgSnapshot(dir, 'x', SVG);
    expect(readdirSync(dir).sort()).toEqual(['x.0.png', 'x.svg']);
    process.env.CI = 'true';
    process.env.UPDATE_SNAPSHOTS = '1';
    matchSvgSnapshot(scratch(), 'x', SVG);
  });

  it('fails on a changed element or raster and writes the actual files beside the snapshot', () => {
    delete process.env.CI;
    const dir = scratch();
    matchSvgSnapshot(dir, 'x', SVG);
    process.env.CI = 'true';
    expect(() => matchSvgSnapshot(dir, 'x', SVG)).not.toThrow();
    expect(() => matchSvgSnapshot(dir, 'x', SVG.replace('a b', 'a c'))).toThrow(/differs/);
    expect(readFileSync(path.join(dir, 'x.actual.svg'), 'utf8')).toContain('a c');
    const otherPng = SVG.replace(PNG, Buffer.from('89504e470d0a1a0b', 'hex').toString('base64'));
    expect(() => matchSvgSnapshot(dir, 'x', otherPng)).toThrow(/differs/);
    expect(existsSync(path.join(dir, 'x.0.actual.png'))).toBe(true);
    matchSvgSnapshot(dir, 'x', SVG);
    expect(readdirSync(dir).sort()).toEqual(['x.0.png', 'x.svg']);
  });
});
