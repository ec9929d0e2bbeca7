import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './checkpoints';
import { launch } from './chromium';
import { ORT_TIMEOUT_MS, waitForRun } from './helpers';
import { classify } from './node-probes';
import { decodePng } from './png-decode';

/**
 * Done-when of the figure export: the SVG and PNG the page's download buttons save are the files
 * `smallscope figure` writes for the same checkpoint, input and settings. The SVGs must be byte for byte the
 * same (both are svelte/server's render() of the same component with props from figures/props.ts;
 * nothing is normalised). The PNGs come from two rasterisers (the page draws the SVG on a canvas, the CLI
 * uses resvg), so they must have the same size and resolution and differ only in anti-aliasing.
 */

const baseUrl = inject('baseUrl');
const dir = inject('checkpointDir');
const kinds = classify(dir);
/** The demo conv + attention checkpoint when served, else the first with attention (the PyTorch export). */
const attn = kinds.attention.includes('conv-attn.onnx') ? 'conv-attn.onnx' : kinds.attention[0];
const conv = kinds.conv.includes('conv-attn.onnx') ? 'conv-attn.onnx' : kinds.conv[0];
const TEXT = 'The cat sat. The cat sat.';

let browser: Browser;
let page: Page;
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-figures-'));
beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
});
afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** Click a download button and return the saved file with its suggested name. */
async function download(figure: string, format: 'svg' | 'png'): Promise<{ name: string; bytes: Buffer }> {
  const group = page.locator(`.figure-download[data-figure="${figure}"]`);
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    group.locator(`button[data-format="${format}"]`).click(),
  ]);
  const failure = await dl.failure();
  expect(failure, `download of ${figure}.${format}`).toBeNull();
  return { name: dl.suggestedFilename(), bytes: readFileSync((await dl.path())!) };
}

/** `smallscope figure ...`, as a user runs it; returns the file it wrote. */
function cli(args: string[], out: string): Buffer {
  const file = join(scratch, out);
  const r = spawnSync(process.execPath, [join(REPO, 'bin/smallscope.js'), 'figure', ...args, '--out', file], {
    cwd: REPO,
    encoding: 'utf8',
    // VITEST set would tell the CLI that vitest compiles .svelte files for it (figures/compile/svelte-loader.ts).
    env: { ...process.env, VITEST: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file);
}

/** The pHYs resolution of a PNG in dots per inch (null without one). */
function dpiOf(png: Buffer): number | null {
  const i = png.indexOf('pHYs');
  return i < 0 ? null : Math.round(png.readUInt32BE(i + 4) * 0.0254);
}

/**
 * Same size and resolution, and the same picture up to anti-aliasing: glyph and cell edges are rasterised by
 * Skia (chromium drawing the SVG on a canvas) on one side and tiny-skia (resvg) on the other, so pixels on an
 * edge may differ a lot while most pixels agree. Measured with the demo conv-attn.onnx (chromium 156, resvg
 * 2.6.2): mean 1.1 / 255 and 0.4 % of pixels off by more than 64 for the attention figure, 0.7 and 0.3 % for
 * the filter maps at 300 dpi; the bounds leave room for other text, and are meant to catch a shifted,
 * rescaled or missing element rather than anti-aliasing.
 */
function expectSamePicture(pagePng: Buffer, cliPng: Buffer, what: string): void {
  const a = decodePng(pagePng);
  const b = decodePng(cliPng);
  expect([a.width, a.height], `${what}: page PNG size vs CLI PNG size`).toEqual([b.width, b.height]);
  expect(dpiOf(pagePng), `${what}: resolution`).toBe(dpiOf(cliPng));
  let sum = 0;
  let far = 0;
  const n = a.width * a.height;
  for (let p = 0; p < n; p++) {
    let d = 0;
    for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(a.rgba[p * 4 + c] - b.rgba[p * 4 + c]));
    sum += d;
    if (d > 64) far++;
  }
  const mean = sum / n;
  const farShare = far / n;
  expect(mean, `${what}: mean per-pixel difference (0-255)`).toBeLessThan(2);
  expect(farShare, `${what}: share of pixels differing by more than 64/255`).toBeLessThan(0.015);
}

describe('figure downloads match `smallscope figure`', () => {
  test('inspect: the selected head (attention) as SVG and PNG', async () => {
    const q = new URLSearchParams({ ckpt: attn, text: TEXT, layer: '0', head: '0' });
    await page.goto(`${baseUrl}/inspect?${q}`);
    await waitForRun(page, { text: TEXT, ckpt: attn });

    const svg = await download('attention', 'svg');
    expect(svg.name).toBe(`${attn.replace(/\.onnx$/, '')}-attention-l0h0.svg`);
    const want = cli(['attention', join(dir, attn), '--text', TEXT, '--layer', '0', '--head', '0'], 'a.svg');
    expect(svg.bytes.toString('utf8')).toContain(`${attn} (`); // the caption names the checkpoint
    expect(svg.bytes.toString('utf8')).toContain('@font-face');
    expect(svg.bytes.toString('utf8')).toBe(want.toString('utf8'));

    // PNG at the default 2x (the CLI's default --scale 2).
    const png = await download('attention', 'png');
    const wantPng = cli(
      ['attention', join(dir, attn), '--text', TEXT, '--layer', '0', '--head', '0'],
      'a.png',
    );
    expect(dpiOf(png.bytes)).toBe(192);
    expectSamePicture(png.bytes, wantPng, 'attention');
  });

  test('inspect: the head grid and the head scores as SVG', async () => {
    const heads = await download('heads', 'svg');
    expect(heads.bytes.toString('utf8')).toBe(
      cli(['heads', join(dir, attn), '--text', TEXT], 'h.svg').toString('utf8'),
    );
    const induction = await download('induction', 'svg');
    expect(induction.bytes.toString('utf8')).toBe(
      cli(['induction', join(dir, attn), '--text', TEXT], 'i.svg').toString('utf8'),
    );
  });

  test('filters: the filter maps as SVG and as PNG at 300 dpi', async () => {
    await page.goto(`${baseUrl}/filters?ckpt=${encodeURIComponent(conv)}`);
    await page.locator('.status[data-status="ready"]').waitFor({ timeout: ORT_TIMEOUT_MS });

    const svg = await download('filters', 'svg');
    expect(svg.bytes.toString('utf8')).toBe(cli(['filters', join(dir, conv)], 'f.svg').toString('utf8'));

    await page.locator('.figure-download[data-figure="filters"] select').selectOption({ label: '300 dpi' });
    const png = await download('filters', 'png');
    const wantPng = cli(['filters', join(dir, conv), '--dpi', '300'], 'f.png');
    expect(dpiOf(png.bytes)).toBe(300);
    expectSamePicture(png.bytes, wantPng, 'filters');

    const taps = await download('taps', 'svg');
    expect(taps.bytes.toString('utf8')).toBe(cli(['taps', join(dir, conv)], 't.svg').toString('utf8'));
  });

  test('compare: two checkpoints on the same text as SVG', async () => {
    expect(
      kinds.attention.length,
      'the served folder holds two models with attention',
    ).toBeGreaterThanOrEqual(2);
    const [a, b] = kinds.attention;
    const q = new URLSearchParams({ a, b, text: TEXT, layer: '0', head: '0' });
    await page.goto(`${baseUrl}/compare?${q}`);
    await page.locator('.compare[data-ready="true"]').waitFor({ timeout: ORT_TIMEOUT_MS });
    const svg = await download('compare', 'svg');
    const want = cli(
      ['compare', join(dir, a), '--compare', join(dir, b), '--text', TEXT, '--layer', '0', '--head', '0'],
      'c.svg',
    );
    expect(svg.bytes.toString('utf8')).toBe(want.toString('utf8'));
  });
});
