import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTORCH_GRAD } from '../fixtures/paths';
import { MODEL, cli, tmpDir } from './fixture';

/** Bad input is one line on stderr and exit 2; an existing output is replaced only by a complete file. */
function oneLineError(args: string[], expected: string): void {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(expected);
}

describe('smallscope figure: bad input', () => {
  const dir = tmpDir('bad');
  const out = path.join(dir, 'f.svg');
  it('unknown kind lists the kinds', () =>
    oneLineError(
      ['figure', 'pie', MODEL, '--out', out],
      'attention, heads, compare, induction, filters, taps, field, curves',
    ));
  it('unwritable path', () =>
    oneLineError(['figure', 'heads', MODEL, '--out', '/nonexistent/dir/f.svg'], 'does not exist'));
  it('wrong extension', () =>
    oneLineError(['figure', 'heads', MODEL, '--out', path.join(dir, 'f.pdf')], '.svg or .png'));
  it('layer that does not exist', () =>
    oneLineError(
      ['figure', 'attention', MODEL, '--text', 'abc', '--layer', '3', '--out', out],
      '--layer 3 does not exist',
    ));
  it('head that does not exist', () =>
    oneLineError(
      ['figure', 'attention', MODEL, '--text', 'abc', '--head', '2', '--out', out],
      '--head 2 does not exist',
    ));
  it('compare without --compare', () =>
    oneLineError(['figure', 'compare', MODEL, '--out', out], '--compare'));
  it('missing model', () =>
    oneLineError(['figure', 'heads', path.join(dir, 'none.onnx'), '--out', out], 'does not exist'));
  it('no history for curves', () =>
    oneLineError(['figure', 'curves', MODEL, '--out', out], 'no training history'));
  it('table on an empty folder', () => oneLineError(['table', dir], 'no runs'));
});

describe('figure curves', () => {
  it('draws a model without attention (a conv stack): curves read the history, not the graph', () => {
    const dir = tmpDir('curves-conv');
    copyFileSync(path.join(PYTORCH_GRAD, 'selcopy_conv.onnx'), path.join(dir, 'model.onnx'));
    const points = [0, 100, 200].map((step, i) => ({ step, loss: 3 - i, val_loss: 3.2 - i }));
    writeFileSync(path.join(dir, 'metrics.jsonl'), points.map((p) => JSON.stringify(p)).join('\n') + '\n');
    const out = path.join(dir, 'curves.svg');
    const r = cli(['figure', 'curves', path.join(dir, 'model.onnx'), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const svg = readFileSync(out, 'utf8');
    // One polyline per series (training and validation loss), three points each.
    expect(svg.match(/<path[^>]*d="M[^"]*"/g)?.length).toBeGreaterThanOrEqual(2);
  });
});

describe('atomic replace', () => {
  it('keeps the old file on failure and replaces it on success, leaving no temp files', () => {
    const dir = tmpDir('atomic');
    const out = path.join(dir, 'fig.svg');
    writeFileSync(out, 'OLD');
    const bad = cli(['figure', 'attention', MODEL, '--text', 'abc', '--layer', '9', '--out', out]);
    expect(bad.code).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('OLD');
    const good = cli(['figure', 'attention', MODEL, '--text', 'abc', '--out', out]);
    expect(good.code, good.stderr).toBe(0);
    const svg = readFileSync(out, 'utf8');
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(readdirSync(dir)).toEqual(['fig.svg']);
  });

  it('writes PNG', () => {
    const out = path.join(tmpDir('png'), 'fig.png');
    const r = cli(['figure', 'heads', MODEL, '--text', 'abc abc', '--dpi', '144', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('smallscope figures', () => {
  it('writes the set, report.md, data.json and CSV', () => {
    const dir = path.join(tmpDir('report'), 'out');
    const r = cli(['figures', MODEL, '--text', 'abcdefgh abcdefgh', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(dir);
    for (const f of [
      'report.md',
      'data.json',
      'heads.csv',
      'taps.csv',
      'field.csv',
      'heads.svg',
      'heads.png',
      'filters.svg',
    ])
      expect(files).toContain(f);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    expect(md).toContain('![heads](heads.svg)');
    expect(md).toContain('Smeared-key statistics');
    expect(existsSync(path.join(dir, 'curves.svg'))).toBe(false);
    expect(md).toContain('no training curves');
  });
});
