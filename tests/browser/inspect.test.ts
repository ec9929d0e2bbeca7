import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { scaleSequential } from 'd3-scale';
import { interpolateViridis } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';
import { tokenLabel } from '../../format/text';
import type { PageSnapshot } from '../../src/lib/inspect/page-snapshot';
import { launch } from './chromium';
import { decodePng } from './png-decode';
import { checksumOf, openInspect, waitForRun } from './helpers';
import { nodeHeads } from './node-probes';

const baseUrl = inject('baseUrl');
const dir = inject('checkpointDir');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.onnx'))
  .sort();

let browser: Browser;
let page: Page;
let first: PageSnapshot;

beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The heatmaps' data-checksum attributes are a test hook, off unless asked for.
  await page.addInitScript(
    () => ((window as { __SMALLSCOPE_CHECKSUMS__?: boolean }).__SMALLSCOPE_CHECKSUMS__ = true),
  );
  first = await openInspect(page, baseUrl, { ckpt: names[0] });
});
afterAll(async () => {
  await browser?.close();
});

const thumbs = () => page.locator('.thumb .heatmap');
const big = () => page.locator('.selected .heatmap');
const heads = (s: PageSnapshot) => Object.values(s.patterns).reduce((n, p) => n + p.length, 0);

/**
 * The canvas pixel of cell (q, k): the canvas has one pixel per cell, x = key, y = query, from the cell
 * (data-row0, data-col0) on (not 0 when the plot is larger than its frame and only the part in view is drawn),
 * data-rows x data-cols of them (the canvas may be larger: the rest is clipped).
 */
async function pixel(heatmap: Locator, q: number, k: number): Promise<number[]> {
  return heatmap.locator('canvas').evaluate(
    (c: HTMLCanvasElement, [q, k]) => {
      const [y, x] = [q - Number(c.dataset.row0), k - Number(c.dataset.col0)];
      if (y < 0 || x < 0 || y >= Number(c.dataset.rows) || x >= Number(c.dataset.cols))
        throw new Error(`cell (${q}, ${k}) is not drawn`);
      return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);
    },
    [q, k],
  );
}

/** The selected head's rows as the page reports them, and its colour scale. */
async function selectedHead(s: PageSnapshot) {
  const heatmap = big();
  const [layer, head] = [
    Number(await heatmap.getAttribute('data-layer')),
    Number(await heatmap.getAttribute('data-head')),
  ];
  const domain = (await heatmap.getAttribute('data-domain'))!.split(',').map(Number) as [number, number];
  const scale = scaleSequential(interpolateViridis).domain(domain);
  return { heatmap, rows: s.patterns[`blocks.${layer}.attn.hook_pattern`][head], scale };
}

/** Cell (q, k) is drawn opaque in the colour of its weight on the viridis scale (within one level). */
async function expectColour(h: Awaited<ReturnType<typeof selectedHead>>, q: number, k: number) {
  const want = rgb(h.scale(new Float32Array([h.rows[q][k]])[0]));
  const [r, g, b, a] = await pixel(h.heatmap, q, k);
  const diff = Math.max(Math.abs(r - want.r), Math.abs(g - want.g), Math.abs(b - want.b));
  expect(
    diff,
    `cell (${q}, ${k}) weight ${h.rows[q][k]}: drawn rgb(${r},${g},${b}), scale ${want}`,
  ).toBeLessThanOrEqual(1);
  expect(a).toBe(255);
}

describe('the inspect page', () => {
  test('starts with the default paragraph and draws one heatmap per layer and head', async () => {
    expect(first.ckpt).toBe(names[0]);
    // Seed 002's paragraph, its first sentence repeated at the end.
    expect(first.text).toMatch(
      /^Mr and Mrs Dursley, of number four, Privet Drive, .* thank you very much\.$/,
    );
    // One token per UTF-8 byte (a model with a learned positional embedding may cut the tail).
    const bytes = Array.from(new TextEncoder().encode(first.text));
    expect(first.tokens.length).toBeGreaterThan(0);
    expect(first.tokens).toEqual(bytes.slice(0, first.tokens.length));
    const body = (await (await fetch(`${baseUrl}/api/checkpoints`)).json()) as {
      checkpoints: { name: string; attentionOutputs: string[] }[];
    };
    const outputs = body.checkpoints.find((c) => c.name === names[0])!.attentionOutputs;
    expect(Object.values(first.outputs).sort()).toEqual([...outputs].sort());
    for (const name of Object.keys(first.patterns)) expect(name).toMatch(/^blocks\.\d+\.attn\.hook_pattern$/);

    await expect(thumbs().count()).resolves.toBe(heads(first));
    const labels = await thumbs().evaluateAll((els) =>
      els.map((e) => `L${e.dataset.layer} H${e.dataset.head}`),
    );
    expect(new Set(labels).size).toBe(labels.length);
    for (const t of await thumbs().all())
      await expect(t.getAttribute('data-tokens')).resolves.toBe(String(first.tokens.length));
  });

  test('the token strip shows every token in order, 32 to a row', async () => {
    const rows = await page
      .locator('.strip .row')
      .evaluateAll((els) =>
        els.map((row) =>
          Array.from(row.querySelectorAll('.tok')).map((t) => [
            Number((t as HTMLElement).dataset.pos),
            t.textContent,
          ]),
        ),
      );
    expect(rows.length).toBe(Math.ceil(first.tokens.length / 32));
    for (const row of rows.slice(0, -1)) expect(row.length).toBe(32);
    expect(rows.flat()).toEqual(first.tokens.map((t, i) => [i, tokenLabel(t)]));
  });

  test('every drawn row is a distribution over keys up to the query (causal)', async () => {
    for (const [name, perHead] of Object.entries(first.patterns)) {
      perHead.forEach((rows, h) => {
        rows.forEach((row, q) => {
          const sum = row.reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - 1), `${name} head ${h} row ${q} sums to ${sum}`).toBeLessThan(1e-4);
          const future = row.slice(q + 1).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          expect(future, `${name} head ${h} row ${q} attends to a later key`).toBeLessThan(1e-6);
        });
      });
    }
  });

  test('the heatmaps draw the numbers the page reports (checksums)', async () => {
    for (const t of await thumbs().all()) {
      const [layer, head] = [
        Number(await t.getAttribute('data-layer')),
        Number(await t.getAttribute('data-head')),
      ];
      const rows = first.patterns[`blocks.${layer}.attn.hook_pattern`][head];
      await expect(t.getAttribute('data-checksum')).resolves.toBe(checksumOf(rows));
    }
  });

  test('a drawn cell has the colour of its weight on the viridis scale', async () => {
    const h = await selectedHead(first);
    // Only the part of a plot larger than its frame is drawn (the default paragraph is 382 tokens): the cells
    // checked are in that part. The strongest cell, the first and last diagonal cells, a masked (zero) cell.
    const [q0, k0, rows, cols] = await h.heatmap
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) =>
        [c.dataset.row0, c.dataset.col0, c.dataset.rows, c.dataset.cols].map(Number),
      );
    const [q1, k1] = [Math.min(h.rows.length, q0 + rows) - 1, Math.min(h.rows.length, k0 + cols) - 1];
    let best = { q: q0, k: k0, w: -1 };
    for (let q = q0; q <= q1; q++)
      for (let k = k0; k <= k1; k++) if (h.rows[q][k] > best.w) best = { q, k, w: h.rows[q][k] };
    const [d0, d1] = [Math.max(q0, k0), Math.min(q1, k1)];
    expect(d1).toBeGreaterThan(d0);
    expect(k1).toBeGreaterThan(q0); // a key after the first drawn query: a masked cell
    for (const { q, k } of [best, { q: d0, k: d0 }, { q: d1, k: d1 }, { q: q0, k: k1 }])
      await expectColour(h, q, k);
  });

  test('hovering a cell shows its query token, key token and weight, and highlights them', async () => {
    const heatmap = big();
    const [layer, head] = [
      Number(await heatmap.getAttribute('data-layer')),
      Number(await heatmap.getAttribute('data-head')),
    ];
    const rows = first.patterns[`blocks.${layer}.attn.hook_pattern`][head];
    const cell = Number(await heatmap.getAttribute('data-cell'));
    await heatmap.scrollIntoViewIfNeeded();
    const box = (await heatmap.locator('canvas').boundingBox())!;
    const q = Math.min(rows.length - 1, 7);
    const k = 3;
    await page.mouse.move(box.x + (k + 0.5) * cell, box.y + (q + 0.5) * cell);
    await expect(heatmap.getAttribute('data-hover-query')).resolves.toBe(String(q));
    await expect(heatmap.getAttribute('data-hover-key')).resolves.toBe(String(k));
    // The tooltip's words are drawn on a canvas and are its accessible name.
    const tip = (await heatmap.locator('.tooltip').getAttribute('aria-label'))!;
    expect(tip).toContain(`query ${tokenLabel(first.tokens[q])} @${q}`);
    expect(tip).toContain(`key ${tokenLabel(first.tokens[k])} @${k}`);
    expect(tip).toContain(`weight ${rows[q][k].toFixed(4)}`);
    // ... and drawn: dark text pixels in the tooltip as the screen shows it (its box is a white CSS background).
    const shot = decodePng(await heatmap.locator('.tooltip').screenshot());
    let ink = 0;
    for (let i = 0; i < shot.rgba.length; i += 4)
      if (shot.rgba[i] + shot.rgba[i + 1] + shot.rgba[i + 2] < 200) ink++;
    expect(ink).toBeGreaterThan(50);
    await expect(heatmap.locator('.cursor rect').count()).resolves.toBe(3);
    // The cursor's parts are moved by transforms: the outlined cell is the hovered one.
    const outline = (await heatmap.locator('.cursor rect.cell').boundingBox())!;
    expect(Math.abs(outline.x - (box.x + k * cell))).toBeLessThanOrEqual(1.5);
    expect(Math.abs(outline.y - (box.y + q * cell))).toBeLessThanOrEqual(1.5);
    await page.mouse.move(0, 0);
    await expect(heatmap.locator('.tooltip').count()).resolves.toBe(0);
  });

  test('the cursor moves with the arrow keys', async () => {
    const svg = big().locator('svg[role="application"]');
    await svg.focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await expect(big().getAttribute('data-hover-query')).resolves.toBe('2');
    await expect(big().getAttribute('data-hover-key')).resolves.toBe('1');
    // A keyboard move is read out (the tooltip is drawn, not text).
    const spoken = await big().locator('[role="status"]').textContent();
    expect(spoken).toContain(`query ${tokenLabel(first.tokens[2])} @2`);
    expect(spoken).toContain(`key ${tokenLabel(first.tokens[1])} @1`);
    await page.keyboard.press('Tab');
  });

  test('typing new text recomputes every heatmap in the browser', async () => {
    const text = 'abcdefgh abcdefgh';
    const before = await thumbs().evaluateAll((els) => els.map((e) => e.dataset.checksum));
    await page.locator('textarea').fill(text);
    const next = await waitForRun(page, { text: 'abcdefgh abcdefgh' });
    expect(next.tokens).toEqual(Array.from(new TextEncoder().encode(text)));
    await expect(thumbs().count()).resolves.toBe(heads(first));
    const after = await thumbs().evaluateAll((els) =>
      els.map((e) => ({ tokens: e.dataset.tokens, checksum: e.dataset.checksum })),
    );
    for (const a of after) expect(a.tokens).toBe(String(text.length));
    expect(after.map((a) => a.checksum)).not.toEqual(before);
    for (const perHead of Object.values(next.patterns))
      for (const rows of perHead) expect(rows.length).toBe(text.length);
  });

  test('the view state is in the URL: a reload shows the same text, head and numbers', async () => {
    // Select the last head, so the URL carries a non-default layer/head when the model has more than one.
    await page.locator('.thumb').last().click();
    const selected = await page.locator('.selected').getAttribute('data-selected');
    const url = new URL(page.url());
    expect(url.searchParams.get('text')).toBe('abcdefgh abcdefgh');
    expect(url.searchParams.get('ckpt')).toBe(names[0]);
    expect(`L${url.searchParams.get('layer')} H${url.searchParams.get('head')}`).toBe(selected);
    const before = await page.evaluate(() => window.__smallscope!);

    await page.reload();
    const after = await waitForRun(page, {});
    await expect(page.locator('textarea').inputValue()).resolves.toBe('abcdefgh abcdefgh');
    await expect(page.locator('.selected').getAttribute('data-selected')).resolves.toBe(selected);
    expect(after.tokens).toEqual(before.tokens);
    for (const [name, perHead] of Object.entries(before.patterns)) {
      perHead.forEach((rows, h) =>
        rows.forEach((row, q) =>
          row.forEach((w, k) => expect(Math.abs(after.patterns[name][h][q][k] - w)).toBeLessThan(1e-6)),
        ),
      );
    }
  });

  test('fast typing: runs never overlap and the last keystroke wins', async () => {
    const box = page.locator('textarea');
    await box.fill('ab');
    await box.pressSequentially('cdefghijklmnop', { delay: 0 });
    const done = await waitForRun(page, { text: 'abcdefghijklmnop' });
    expect(done.tokens.length).toBe(16);
    await expect(page.locator('.status').getAttribute('data-status')).resolves.toBe('ready');
    await expect(thumbs().first().getAttribute('data-tokens')).resolves.toBe('16');
  });

  test('choosing another checkpoint loads it and keeps the text', async () => {
    expect(names.length, 'the served folder holds two checkpoints').toBeGreaterThanOrEqual(2);
    const text = await page.locator('textarea').inputValue();
    await page.locator('.controls .picker select').selectOption(names[1]);
    const before = await page.evaluate(() => window.__smallscope!);
    const other = await waitForRun(page, { ckpt: names[1] });
    expect(other.text).toBe(text);
    if (names[1] === 'conv_attn.plain.onnx' && names[0] === 'conv_attn.onnx') {
      // The same PyTorch model, its attention found as a Softmax node instead of a graph output.
      const name = 'blocks.0.attn.hook_pattern';
      other.patterns[name][0].forEach((row, q) =>
        row.forEach((w, k) => expect(Math.abs(w - before.patterns[name][0][q][k])).toBeLessThan(1e-5)),
      );
    }
    expect(new URL(page.url()).searchParams.get('ckpt')).toBe(names[1]);
    await expect(thumbs().count()).resolves.toBe(heads(other));
  });

  test('a heatmap larger than its frame draws the cells in view, and redraws them when scrolled', async () => {
    const text = 'the quiet river bends around the old mill and a heron waits. '.repeat(10);
    await page.locator('textarea').fill(text);
    const run = await waitForRun(page, { text });
    const slider = page.locator('.zoom input[type="range"]');
    await slider.fill('12');
    const h = await selectedHead(run);
    const T = h.rows.length;
    const canvas = h.heatmap.locator('canvas');
    const drawn = () =>
      canvas.evaluate((c: HTMLCanvasElement) => ({
        r0: Number(c.dataset.row0),
        c0: Number(c.dataset.col0),
        rows: Number(c.dataset.rows),
        cols: Number(c.dataset.cols),
      }));
    // The frame shows the top-left corner: only the cells around it are drawn, and only their labels exist.
    await expect.poll(async () => (await drawn()).cols).toBeLessThan(T);
    const top = await drawn();
    expect([top.r0, top.c0]).toEqual([0, 0]);
    expect(top.rows).toBeLessThan(T);
    await expect(h.heatmap.locator('text.tick').count()).resolves.toBeLessThanOrEqual(top.rows + top.cols);
    for (const [q, k] of [
      [0, 0],
      [20, 3],
      [40, 40],
      [top.rows - 1, 10],
    ])
      await expectColour(h, q, k);
    // Scrolled to the far corner, the last cells are drawn in their colours.
    await page.locator('.selected .frame').evaluate((el) => el.scrollTo(el.scrollWidth, el.scrollHeight));
    await expect.poll(async () => (await drawn()).r0).toBeGreaterThan(0);
    const end = await drawn();
    expect([end.r0 + end.rows, end.c0 + end.cols]).toEqual([T, T]);
    for (const [q, k] of [
      [T - 1, T - 1],
      [T - 1, T - 40],
      [T - 30, T - 35],
      [end.r0, T - 1],
    ])
      await expectColour(h, q, k);
    // Opened at this zoom (a heatmap windowed from its first frame on), the corner is drawn too.
    await page.reload();
    const again = await selectedHead(await waitForRun(page, { text }));
    await expect.poll(async () => (await drawn()).cols).toBeLessThan(T);
    for (const [q, k] of [
      [0, 0],
      [20, 3],
      [40, 40],
    ])
      await expectColour(again, q, k);
    await page.locator('.zoom input[type="range"]').fill('0');
  });

  test("typing on in a long text: the attention written into memory prepared after the last run is the probes' numbers", async () => {
    // 610 tokens: a pattern of 1.5 MB a head, which onnxruntime-web writes into a buffer a worker mapped after
    // the previous run painted (runtime/web/output-arrays.ts) once one is ready.
    let text = 'the quiet river bends around the old mill and a heron waits. '.repeat(10);
    await page.locator('textarea').fill(text);
    const before = (await waitForRun(page, { text })).outputArrays.prepared;
    let run: PageSnapshot | null = null;
    for (let i = 0; i < 10 && !(run && run.outputArrays.prepared > before); i++) {
      text += 'xyz'[i % 3];
      await page.locator('textarea').fill(text);
      run = await waitForRun(page, { text });
    }
    expect(run!.outputArrays.prepared).toBeGreaterThan(before);
    const { maps } = await nodeHeads(join(dir, run!.ckpt), [run!.tokens]);
    for (const [name, perHead] of Object.entries(run!.patterns)) {
      const layer = Number(/^blocks\.(\d+)\./.exec(name)![1]);
      perHead.forEach((rows, h) => {
        const want = maps.get(`${layer}:${h}`)!;
        const drawn = rows.flat();
        expect(drawn.length).toBe(want.length);
        let worst = 0;
        for (let i = 0; i < drawn.length; i++) worst = Math.max(worst, Math.abs(drawn[i] - want[i]));
        expect(worst, `${name} head ${h}`).toBeLessThan(1e-5);
      });
    }
  });

  test('a new text draws its heatmaps first; its head scores follow, the previous ones shown (aria-busy) meanwhile', async () => {
    const text = 'abcabcabc xyz';
    await page.locator('textarea').fill(text);
    await waitForRun(page, { text });
    const line = page.locator('.head-scores');
    const before = await line.getAttribute('data-previous-token');
    expect(before).not.toBe('');
    await expect(line.getAttribute('aria-busy')).resolves.toBe('false');
    // What the page shows at the moment it says the new heatmaps are drawn.
    const atDrawn = page.evaluate(
      () =>
        new Promise<{ busy: string | null; grid: string | null; previousToken: string | null }>((resolve) =>
          window.addEventListener(
            'smallscope:drawn',
            () => {
              const p = document.querySelector('.head-scores')!;
              resolve({
                busy: p.getAttribute('aria-busy'),
                grid: document.querySelector('.grid')!.getAttribute('aria-busy'),
                previousToken: p.getAttribute('data-previous-token'),
              });
            },
            { once: true },
          ),
        ),
    );
    await page.locator('textarea').fill(`${text}abc`);
    const drawn = await atDrawn;
    expect(drawn).toEqual({ busy: 'true', grid: 'true', previousToken: before });
    const run = await waitForRun(page, { text: `${text}abc` });
    await expect(line.getAttribute('aria-busy')).resolves.toBe('false');
    const selected = await big().getAttribute('data-layer').then(Number);
    const head = await big().getAttribute('data-head').then(Number);
    const { heads } = await nodeHeads(join(dir, run.ckpt), [run.tokens]);
    const want = heads.find((h) => h.layer === selected && h.head === head)!;
    expect(
      Math.abs(Number(await line.getAttribute('data-previous-token')) - want.previous_token!),
    ).toBeLessThan(1e-6);
  });

  test('empty text asks for a character instead of failing', async () => {
    await page.locator('textarea').fill('');
    await expect(page.locator('.status').textContent()).resolves.toMatch(/at least one character/);
  });
});
