import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { basename, join } from 'node:path';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { findAttention } from '../../probes/attention';
import { filtersReport } from '../../probes/filters/conv-report';
import { decodeModel } from '../../format/onnx/model';
import { readModelFile } from '../../bin/model/files';
import { launch } from './chromium';
import { REFERENCE } from './checkpoints';
import { ORT_TIMEOUT_MS, waitForRun } from './helpers';
import { classify, nodeHeads, onnxNames, standardTokens } from './node-probes';
import { cli } from '../figures/fixture';
import type { FieldResult } from '../../probes/field/field-probe';

const baseUrl = inject('baseUrl');
const dir = inject('checkpointDir');
const names = onnxNames(dir);
const kinds = classify(dir);
const bytes = (s: string) => Array.from(new TextEncoder().encode(s));

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
});

const num = async (p: Promise<string | null>) => Number(await p);

/** Drop a model file into the library, as a user would; the page opens it in the inspect view as local:NAME. */
async function dropFile(file: string): Promise<void> {
  await page.goto(baseUrl);
  await page.locator('input[type="file"]').setInputFiles(file);
  const name = encodeURIComponent(`local:${basename(file)}`).replace(/\./g, '\\.');
  await page.waitForURL(new RegExp(`/inspect\\?ckpt=${name}`), { timeout: ORT_TIMEOUT_MS });
}

/**
 * `smallscope probe field FILE --json` at position t of `text`, with attention (--method fd: the page measures
 * by finite differences too) and --without-attention: the two profiles the field view draws.
 */
function cliFieldPair(file: string, text: string, t: number): { with: FieldResult; without: FieldResult } {
  const field = (...flags: string[]): FieldResult => {
    const r = cli(['probe', 'field', file, '--text', text, '--position', String(t), '--json', ...flags]);
    if (r.code !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as FieldResult;
  };
  return { with: field('--method', 'fd'), without: field('--without-attention') };
}

describe('the library', () => {
  test('shows each checkpoint’s best induction and previous-token scores, as the probes compute them', async () => {
    await page.goto(baseUrl);
    for (const name of kinds.attention) {
      const { heads } = await nodeHeads(join(dir, name), standardTokens(join(dir, name)), {
        n: 20,
        start: 0,
      });
      const best = (k: 'induction' | 'previous_token') => Math.max(...heads.map((h) => h[k] ?? -Infinity));
      const row = page.locator(`tr[data-checkpoint="${name}"]`);
      const ind = await num(row.locator('[data-score="induction"]').getAttribute('data-value'));
      const prev = await num(row.locator('[data-score="previous_token"]').getAttribute('data-value'));
      expect(Math.abs(ind - best('induction')), name).toBeLessThan(1e-6);
      expect(Math.abs(prev - best('previous_token')), name).toBeLessThan(1e-6);
    }
  });

  test('a dropped PyTorch export opens in the inspect view, run in the browser', async () => {
    await dropFile(REFERENCE);
    const run = await waitForRun(page, { ckpt: 'local:conv_attn.onnx' });
    const { maps } = await nodeHeads(REFERENCE, [run.tokens]);
    const drawn = run.patterns['blocks.0.attn.hook_pattern'][0].flat();
    const want = maps.get('0:0')!;
    expect(drawn.length).toBe(want.length);
    // reduce, not Math.max(...): the default paragraph's 382 x 382 weights overflow the argument stack
    expect(drawn.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0)).toBeLessThan(1e-5);
    // The bytes stay in this browser: a reload finds them again.
    await page.reload();
    await waitForRun(page, { ckpt: 'local:conv_attn.onnx' });
  });
});

describe('every view on the PyTorch reference dropped in as a file', () => {
  // Dropped into the library (again, so these tests stand alone): the bytes stay in this browser's IndexedDB.
  const local = 'local:conv_attn.onnx';
  const text = 'abcdefghabcdefgh';
  beforeAll(() => dropFile(REFERENCE));

  test('filters: the per-tap table is the probes’ tapStats', async () => {
    await page.goto(`${baseUrl}/filters?ckpt=${encodeURIComponent(local)}`);
    await page.waitForSelector('.status[data-status="ready"]', { timeout: ORT_TIMEOUT_MS });
    const model = decodeModel(readModelFile(REFERENCE));
    const { convs } = filtersReport(model, findAttention(model).taps);
    expect(convs.length).toBeGreaterThan(0);
    for (const conv of convs)
      for (const t of conv.taps) {
        const row = page.locator(`section[data-conv="${conv.name}"] table.taps`).first();
        const cell = row.locator(`tr[data-offset="${t.offset}"] [data-stat="q90"]`);
        expect(Math.abs((await num(cell.getAttribute('data-value'))) - t.q90)).toBeLessThan(1e-12);
      }
  });

  test('receptive field: both profiles are `smallscope probe field --json` of the file', async () => {
    const t = 12;
    await page.goto(`${baseUrl}/field?${new URLSearchParams({ ckpt: local, text, pos: String(t) })}`);
    await page.waitForSelector('.field-without', { timeout: 2 * ORT_TIMEOUT_MS });
    const probe = cliFieldPair(REFERENCE, text, t);
    for (const [section, want] of [
      ['.field', probe.with],
      ['.field-without', probe.without],
    ] as const) {
      await expect(page.locator(section).getAttribute('data-support')).resolves.toBe(
        want.theoretical.support.join(','),
      );
      const bars = await page
        .locator(`${section} rect.bar`)
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
      const top = Math.max(...want.gradient);
      expect(bars).toHaveLength(want.gradient.length);
      bars.forEach((v, s) => expect(Math.abs(v - want.gradient[s])).toBeLessThan(1e-3 * top));
    }
  });

  test('compare: the dropped file against a demo checkpoint, score bars as the probes give them', async () => {
    const other = kinds.attention[0];
    await page.goto(`${baseUrl}/compare?${new URLSearchParams({ a: local, b: other, text })}`);
    await page.waitForSelector('.compare[data-ready]', { timeout: ORT_TIMEOUT_MS });
    const { heads } = await nodeHeads(REFERENCE, [bytes(text)]);
    for (const h of heads) {
      const bar = page.locator(`.bars-a g[data-head="L${h.layer}H${h.head}"] rect[data-key="induction"]`);
      expect(Math.abs((await num(bar.getAttribute('data-value'))) - h.induction!)).toBeLessThan(1e-6);
    }
  });
});

describe('the inspect view', () => {
  const name = kinds.attention[0];

  test('a repeated preset gets the probes’ induction and previous-token scores and the diagonal', async () => {
    await page.goto(`${baseUrl}/inspect?ckpt=${name}`);
    await waitForRun(page, {});
    await page.locator('[data-preset="letters"]').click();
    const text = await page.locator('textarea').inputValue();
    const run = await waitForRun(page, { text });
    const { heads } = await nodeHeads(join(dir, name), [run.tokens]);
    const n = run.tokens.length / 2;
    expect(heads[0].induction).not.toBeNull();
    for (const h of heads) {
      const thumb = page.locator(`.thumb[data-layer="${h.layer}"][data-head="${h.head}"]`);
      expect(Math.abs((await num(thumb.getAttribute('data-induction'))) - h.induction!)).toBeLessThan(1e-6);
      expect(
        Math.abs((await num(thumb.getAttribute('data-previous-token'))) - h.previous_token),
      ).toBeLessThan(1e-6);
    }
    await expect(page.locator('.selected .heatmap').getAttribute('data-diagonal')).resolves.toBe(
      `${n},${1 - n}`,
    );
  });

  test('the control text has no period, so no induction score and no diagonal', async () => {
    await page.locator('[data-preset="control"]').click();
    await waitForRun(page, { text: await page.locator('textarea').inputValue() });
    await expect(page.locator('.thumb').first().getAttribute('data-induction')).resolves.toBe('');
    await expect(page.locator('.selected .heatmap').getAttribute('data-diagonal')).resolves.toBeNull();
  });

  test('hover highlights the query and key tokens in the text; a click pins the cursor', async () => {
    const heatmap = page.locator('.selected .heatmap');
    const cell = await num(heatmap.getAttribute('data-cell'));
    await heatmap.scrollIntoViewIfNeeded();
    const box = (await heatmap.locator('canvas').boundingBox())!;
    const at = (q: number, k: number) => [box.x + (k + 0.5) * cell, box.y + (q + 0.5) * cell] as const;
    await page.mouse.move(...at(6, 2));
    // The outlines are boxes laid over the tokens: each covers its token's box.
    for (const [mark, pos] of [
      ['query', 6],
      ['key', 2],
    ] as const) {
      const outline = page.locator(`.mark.${mark}`);
      await expect(outline.getAttribute('data-pos')).resolves.toBe(String(pos));
      const [a, b] = [
        await outline.boundingBox(),
        await page.locator(`.tok[data-pos="${pos}"]`).boundingBox(),
      ];
      for (const side of ['x', 'y', 'width', 'height'] as const)
        expect(Math.abs(a![side] - b![side])).toBeLessThan(0.5);
    }
    await page.mouse.click(...at(6, 2));
    await expect(heatmap.getAttribute('data-pinned')).resolves.toBe('true');
    await page.mouse.move(...at(9, 9));
    await page.mouse.move(0, 0);
    await expect(heatmap.getAttribute('data-hover-query')).resolves.toBe('6');
    await page.keyboard.press('Escape'); // focus is on the heatmap after the click
    await expect(heatmap.getAttribute('data-pinned')).resolves.toBeNull();
  });

  test('zoom enlarges the cells and the labels thin out when they shrink', async () => {
    const heatmap = page.locator('.selected .heatmap');
    const slider = page.locator('.zoom input[type="range"]');
    await slider.fill('4');
    await expect(heatmap.getAttribute('data-cell')).resolves.toBe('4');
    const few = await heatmap.locator('text.tick').count();
    await slider.fill('30');
    await expect(heatmap.getAttribute('data-cell')).resolves.toBe('30');
    expect(await heatmap.locator('text.tick').count()).toBeGreaterThan(few);
    expect(new URL(page.url()).searchParams.get('zoom')).toBe('30');
  });
});

describe('the compare view', () => {
  const [a, b] = kinds.attention.length > 1 ? kinds.attention : [kinds.attention[0], kinds.attention[0]];
  const text = 'xqzjwkvbpmxqzjwkvbpm';

  test('runs both models on the same text, with per-head score bars equal to the probes’', async () => {
    await page.goto(`${baseUrl}/compare?${new URLSearchParams({ a, b, text })}`);
    await page.waitForSelector('.compare[data-ready]', { timeout: ORT_TIMEOUT_MS });
    for (const [side, name] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const { heads } = await nodeHeads(join(dir, name), [bytes(text)]);
      for (const h of heads) {
        const bar = (key: string) =>
          page.locator(`.bars-${side} g[data-head="L${h.layer}H${h.head}"] rect[data-key="${key}"]`);
        expect(
          Math.abs((await num(bar('induction').getAttribute('data-value'))) - h.induction!),
        ).toBeLessThan(1e-6);
        expect(
          Math.abs((await num(bar('previous_token').getAttribute('data-value'))) - h.previous_token),
        ).toBeLessThan(1e-6);
      }
    }
  });

  test('hover is synchronised, and the difference map shows A − B at the cursor', async () => {
    const left = page.locator('.side-a .heatmap');
    const cell = await num(left.getAttribute('data-cell'));
    await left.scrollIntoViewIfNeeded();
    const box = (await left.locator('canvas').boundingBox())!;
    const [q, k] = [15, 4];
    await page.mouse.move(box.x + (k + 0.5) * cell, box.y + (q + 0.5) * cell);
    for (const side of ['.side-b', '.diff']) {
      await expect(page.locator(`${side} .heatmap`).getAttribute('data-hover-query')).resolves.toBe(
        String(q),
      );
      await expect(page.locator(`${side} .heatmap`).getAttribute('data-hover-key')).resolves.toBe(String(k));
    }
    const [ma, mb] = await Promise.all([
      nodeHeads(join(dir, a), [bytes(text)]),
      nodeHeads(join(dir, b), [bytes(text)]),
    ]);
    const T = text.length;
    const want = ma.maps.get('0:0')![q * T + k] - mb.maps.get('0:0')![q * T + k];
    const shown = await num(page.locator('.diff .heatmap').getAttribute('data-hover-weight'));
    expect(Math.abs(shown - want)).toBeLessThan(1e-5);
  });
});

describe('the compare view on cross attention (seed 004 counting: output steps x input tokens)', () => {
  // Two counting models, trained for a few steps by the CLI, dropped into the page as local files.
  const scratch = mkdtempSync(join(tmpdir(), 'smallscope-counting-'));
  const model = (name: string, seed: number) => {
    const out = join(scratch, name);
    const r = cli([
      'train',
      '--arch',
      'counting',
      '--task',
      'counting',
      '--steps',
      '3',
      '--seed',
      String(seed),
      '--out',
      out,
    ]);
    if (r.code !== 0) throw new Error(r.stderr);
    copyFileSync(join(out, 'model.onnx'), join(scratch, `${name}.onnx`));
    return join(scratch, `${name}.onnx`);
  };
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const text = 'AB BC A  C';

  test('draws both maps as output steps x input tokens, and A − B at the shared cursor', async () => {
    const files = [model('count-a', 1), model('count-b', 2)];
    for (const f of files) await dropFile(f);
    await page.goto(
      `${baseUrl}/compare?${new URLSearchParams({ a: 'local:count-a.onnx', b: 'local:count-b.onnx', text })}`,
    );
    await page.waitForSelector('.compare[data-ready]', { timeout: ORT_TIMEOUT_MS });
    const [ma, mb] = await Promise.all(files.map((f) => nodeHeads(f, [bytes(text)], null)));
    const A = ma.maps.get('0:0')!;
    const B = mb.maps.get('0:0')!;
    const T = text.length;
    const S = A.length / T;
    expect(S).toBeLessThan(T); // a fixed number of output steps, not T x T
    for (const side of ['.side-a', '.side-b', '.diff']) {
      const h = page.locator(`${side} .heatmap`);
      await expect(h.getAttribute('data-rows')).resolves.toBe(String(S));
      await expect(h.getAttribute('data-cols')).resolves.toBe(String(T));
    }
    const left = page.locator('.side-a .heatmap');
    const cell = await num(left.getAttribute('data-cell'));
    await left.scrollIntoViewIfNeeded();
    const box = (await left.locator('canvas').boundingBox())!;
    const [q, k] = [S - 1, 5];
    await page.mouse.move(box.x + (k + 0.5) * cell, box.y + (q + 0.5) * cell);
    for (const [side, want] of [
      ['.side-a', A[q * T + k]],
      ['.side-b', B[q * T + k]],
      ['.diff', A[q * T + k] - B[q * T + k]],
    ] as const) {
      const h = page.locator(`${side} .heatmap`);
      await expect(h.getAttribute('data-hover-query')).resolves.toBe(String(q));
      expect(Math.abs((await num(h.getAttribute('data-hover-weight'))) - want)).toBeLessThan(1e-5);
    }
    await expect(page.locator('.side-a .tooltip').getAttribute('aria-label')).resolves.toContain(
      `output step out ${q}`,
    );
  });
});

describe('the inspect view on seed 004 with self attention (output steps x input tokens, output steps x output steps)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'smallscope-counting-self-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const text = 'A AABC CB ';

  test('both patterns open, each with the seed’s printed view the CLI prints', async () => {
    const out = join(scratch, 'run');
    const t = cli([
      'train',
      '--arch',
      'counting',
      '--task',
      'counting',
      '--self-attn',
      '--steps',
      '30',
      '--lr',
      '1e-2',
      '--out',
      out,
    ]);
    if (t.code !== 0) throw new Error(t.stderr);
    const file = join(scratch, 'count-self.onnx');
    copyFileSync(join(out, 'model.onnx'), file);
    const probe = cli(['probe', 'attention', file, '--text', text, '--json']);
    if (probe.code !== 0) throw new Error(probe.stderr);
    const want = JSON.parse(probe.stdout) as {
      patterns: Record<string, number[][][][]>;
      attended_mainly: Record<string, number[][][][]>;
    };
    await dropFile(file);
    await page.goto(`${baseUrl}/inspect?${new URLSearchParams({ ckpt: 'local:count-self.onnx', text })}`);
    await waitForRun(page, { text });
    for (const [layer, rows, cols, kind] of [
      [0, 4, 10, 'cross'],
      [1, 4, 4, 'output-self'],
    ] as const) {
      const thumb = page.locator(`button.thumb[data-layer="${layer}"][data-head="0"]`);
      await expect(thumb.locator('.heatmap').getAttribute('data-rows')).resolves.toBe(String(rows));
      await expect(thumb.locator('.heatmap').getAttribute('data-cols')).resolves.toBe(String(cols));
      await thumb.click();
      const big = page.locator('section.selected .frame .heatmap');
      await expect(big.getAttribute('data-rows')).resolves.toBe(String(rows));
      await expect(big.getAttribute('data-cols')).resolves.toBe(String(cols));
      const view = page.locator(`section.selected section.steps[data-kind="${kind}"]`);
      const name = `blocks.${layer}.attn.hook_pattern`;
      for (let s = 0; s < 4; s++) {
        const step = view.locator(`.step[data-step="${s}"]`);
        await expect(step.getAttribute('data-mainly')).resolves.toBe(
          want.attended_mainly[name][0][0][s].join(' '),
        );
        const shown = (await step.locator('code').textContent())!.slice(1, -1).split(', ').map(Number);
        const cli3 = want.patterns[name][0][0][s].map((w) => Number(w.toFixed(3)));
        expect(shown).toEqual(cli3);
      }
      await expect(view.locator('.step span').first().textContent()).resolves.toBe(
        kind === 'cross'
          ? `Output step 0 attended mainly to input steps: [${want.attended_mainly[name][0][0][0].join(' ')}]`
          : 'Attention of output step 0:',
      );
    }
    // The heatmap of the output steps' self attention labels its columns as output steps, not tokens.
    await expect(page.locator('section.selected').textContent()).resolves.toContain('out 3');
  });
});

describe('the filters view', () => {
  test('the per-tap table is the probes’ tapStats of every conv', async () => {
    const name = kinds.conv[0];
    await page.goto(`${baseUrl}/filters?ckpt=${name}`);
    await page.waitForSelector('.status[data-status="ready"]', { timeout: ORT_TIMEOUT_MS });
    const model = decodeModel(readModelFile(join(dir, name)));
    const { convs } = filtersReport(model, findAttention(model).taps);
    for (const conv of convs) {
      const section = page.locator(`section[data-conv="${conv.name}"]`);
      for (const t of conv.taps) {
        const row = section.locator(`table.taps`).first().locator(`tr[data-offset="${t.offset}"]`);
        for (const key of ['max', 'min', 'q75', 'q90', 'mean', 'std', 'energy_share'] as const)
          expect(
            Math.abs((await num(row.locator(`[data-stat="${key}"]`).getAttribute('data-value'))) - t[key]),
          ).toBeLessThan(1e-12);
      }
      // One heat map and one histogram per tap, each over out x in weights.
      await expect(section.locator('.tap .heatmap').count()).resolves.toBe(conv.offsets.length);
      const [out, inn] = conv.weight_dims;
      await expect(section.locator('.histogram').first().getAttribute('data-count')).resolves.toBe(
        String(out * inn),
      );
    }
    // Hovering a filter map's right half: the tooltip opens left of the cursor unless that would leave the page.
    const map = page.locator('.tap .heatmap').first();
    const box = (await map.locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2);
    await expect(map.getAttribute('data-hover-query')).resolves.not.toBeNull();
    const tip = (await map.locator('.tooltip').boundingBox())!;
    expect(tip.x).toBeGreaterThanOrEqual(0);
    await page.mouse.move(0, 0);
    await page.locator('input[type="radio"]').nth(1).check();
    await expect(page.locator('.tap .heatmap').first().getAttribute('data-domain')).resolves.toMatch(/^-/);
    expect(new URL(page.url()).searchParams.get('w')).toBe('signed');
  });
});

describe('the receptive-field view', () => {
  test('marks the theoretical support and draws a gradient profile with its ERF radii', async () => {
    const name = kinds.conv[0];
    const text = 'abcdefghabcdefgh';
    await page.goto(`${baseUrl}/field?${new URLSearchParams({ ckpt: name, text, pos: '12' })}`);
    await page.waitForSelector('.field', { timeout: 2 * ORT_TIMEOUT_MS });
    const field = page.locator('.field');
    await expect(field.getAttribute('data-position')).resolves.toBe('12');
    const { convStack } = await import('../../probes/field/field-probe');
    const { theoreticalField } = await import('../../probes/field/theory');
    const th = theoreticalField(convStack(decodeModel(readModelFile(join(dir, name)))));
    await expect(field.getAttribute('data-support')).resolves.toBe(th.support.join(','));
    const bars = await field
      .locator('rect.bar')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(bars.length).toBe(text.length);
    expect(bars.slice(13).every((g) => g === 0)).toBe(true); // causal: nothing after t
    expect(bars[12]).toBeGreaterThan(0);
  });
});

describe('the receptive-field view with and without attention', () => {
  const name = kinds.conv.find((n) => kinds.attention.includes(n));
  const text = 'abcdefghabcdefgh';
  const t = 12;
  const values = (section: string) =>
    page
      .locator(`${section} rect.bar`)
      .evaluateAll((els) =>
        els.map((e) => ({ v: Number(e.getAttribute('data-value')), h: Number(e.getAttribute('height')) })),
      );

  test('draws both profiles on one scale, the numbers of `smallscope probe field --json` (with and --without-attention)', async () => {
    expect(name, 'the served folder holds a conv model with attention').toBeDefined();
    await page.goto(`${baseUrl}/field?${new URLSearchParams({ ckpt: name!, text, pos: String(t) })}`);
    await page.waitForSelector('.field-without', { timeout: 2 * ORT_TIMEOUT_MS });
    const probe = cliFieldPair(join(dir, name!), text, t);
    for (const [section, r] of [
      ['.field', probe.with],
      ['.field-without', probe.without],
    ] as const) {
      const el = page.locator(section);
      await expect(el.getAttribute('data-support')).resolves.toBe(r.theoretical.support.join(','));
      await expect(num(el.getAttribute('data-r50'))).resolves.toBe(r.erf.r50);
      await expect(num(el.getAttribute('data-r90'))).resolves.toBe(r.erf.r90);
      const bars = await values(section);
      expect(bars.map((b) => b.v !== 0)).toEqual(r.gradient.map((g) => g !== 0));
      const top = Math.max(...r.gradient);
      bars.forEach((b, s) => expect(Math.abs(b.v - r.gradient[s])).toBeLessThan(1e-3 * top));
    }
    // the conv path alone: only the offsets its (masked) kernel reads; attention reaches further back
    const reach = (g: number[]) => g.flatMap((v, s) => (v !== 0 ? [s - t] : []));
    expect(reach(probe.without.gradient)).toEqual(
      probe.without.theoretical.support.filter((o) => t + o >= 0 && t + o < text.length),
    );
    expect(Math.min(...reach(probe.with.gradient))).toBeLessThan(probe.with.theoretical.back);
    // one y scale: bar height / value is the same constant in both charts
    const ratio = async (section: string) => {
      const bars = await values(section);
      const b = bars.reduce((a, x) => (x.v > a.v ? x : a));
      return b.h / b.v;
    };
    expect(await ratio('.field-without')).toBeCloseTo(await ratio('.field'), 6);
  });

  test('keeps the choice of profiles in the URL', async () => {
    expect(name, 'the served folder holds a conv model with attention').toBeDefined();
    await page.goto(`${baseUrl}/field?${new URLSearchParams({ ckpt: name!, text, pos: String(t) })}`);
    await page.waitForSelector('.field-without', { timeout: 2 * ORT_TIMEOUT_MS });
    await page.locator('input[name="attn"][value="without"]').check();
    await page.waitForSelector('.field', { state: 'detached', timeout: ORT_TIMEOUT_MS });
    expect(new URL(page.url()).searchParams.get('attn')).toBe('without');
    await page.reload();
    await page.waitForSelector('.field-without', { timeout: 2 * ORT_TIMEOUT_MS });
    await expect(page.locator('.field').count()).resolves.toBe(0);
  });
});
