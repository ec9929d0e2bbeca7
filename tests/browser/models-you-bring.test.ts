import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PYTORCH_HF } from '../fixtures/paths';
import { serve, type Served } from '../app/server/serve';
import { launch } from './chromium';
import { ORT_TIMEOUT_MS, waitForRun } from './helpers';
import { nodeHeads } from './node-probes';

/**
 * The models researchers bring, in the page (issue 16): a Hugging Face-style export over a byte-level BPE
 * vocabulary with its tokenizer.json, served from a folder and dropped in as files; the tokens the page feeds
 * must be the tokenizer's, the pieces shown its pieces, the drawn maps the probes' (onnxruntime-node) and
 * PyTorch's; the bad inputs show the command line's one-line messages. Starts its own `smallscope serve` on a
 * folder holding the model and its tokenizer.json (the suite's server serves the demo checkpoints).
 */
const TEXT = 'The cat sat on the mat. The dog ran to the tree; the cat sat on the mat again.';
const BPE = `${PYTORCH_HF}bpe/`;
const ref = JSON.parse(readFileSync(`${BPE}reference.json`, 'utf8'));
const pieces: string[] = ref.text.tokens.map((id: number) =>
  (ref.text.pieces[String(id)] as string).replaceAll('Ġ', '␣'),
);

let browser: Browser;
let page: Page;
let server: Served;
let baseUrl: string;
const folder = mkdtempSync(join(tmpdir(), 'smallscope-bring-'));

beforeAll(async () => {
  copyFileSync(`${BPE}model.onnx`, join(folder, 'bpe.onnx'));
  copyFileSync(`${BPE}tokenizer.json`, join(folder, 'tokenizer.json'));
  server = await serve(['--checkpoints', folder]);
  baseUrl = server.url;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** The token strip as shown: each box's text and the id its hover title gives. */
async function strip(): Promise<{ labels: string[]; ids: number[] }> {
  const boxes = page.locator('[aria-label^="Input tokens"] span[title^="token"]');
  const labels = await boxes.allTextContents();
  const titles = await boxes.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
  return { labels, ids: titles.map((t) => Number(/id (\d+)/.exec(t)?.[1])) };
}

/** Every drawn head against onnxruntime-node (1e-5) and PyTorch (1e-4) on the same tokens. */
async function expectMaps(file: string, run: { tokens: number[]; patterns: Record<string, number[][][]> }) {
  const { maps } = await nodeHeads(file, [run.tokens]);
  for (let l = 0; l < 2; l++)
    for (let h = 0; h < 4; h++) {
      const drawn = run.patterns[`blocks.${l}.attn.hook_pattern`][h].flat();
      const probes = maps.get(`${l}:${h}`)!;
      const torch = (ref.text.patterns[l][h] as number[][]).flat();
      expect(drawn.length).toBe(torch.length);
      expect(Math.max(...drawn.map((v, i) => Math.abs(v - probes[i])))).toBeLessThan(1e-5);
      expect(Math.max(...drawn.map((v, i) => Math.abs(v - torch[i])))).toBeLessThan(1e-4);
    }
}

const inspect = (ckpt: string, text = TEXT) =>
  page.goto(`${baseUrl}/inspect?${new URLSearchParams({ ckpt, text })}`);

async function statusError(): Promise<string> {
  await page.waitForSelector('.status[data-status="error"]', { timeout: ORT_TIMEOUT_MS });
  return ((await page.locator('.status').textContent()) ?? '').trim();
}

describe('a byte-level BPE model with its tokenizer.json', () => {
  test('served: the folder’s tokenizer.json tokenizes the text; pieces shown, ids on hover, maps as the probes', async () => {
    await inspect('bpe.onnx');
    const run = await waitForRun(page, { ckpt: 'bpe.onnx', text: TEXT });
    expect(run.tokens).toEqual(ref.text.tokens);
    expect(await strip()).toEqual({ labels: pieces, ids: ref.text.tokens });
    await expectMaps(`${BPE}model.onnx`, run);
    // The heatmap's tooltip: the pieces of the hovered cell, their positions and ids.
    const heatmap = page.locator('.selected .heatmap');
    await heatmap.scrollIntoViewIfNeeded();
    const cell = Number(await heatmap.getAttribute('data-cell'));
    const box = (await heatmap.locator('canvas').boundingBox())!;
    const [q, k] = [5, 4];
    await page.mouse.move(box.x + (k + 0.5) * cell, box.y + (q + 0.5) * cell);
    const tip = (await heatmap.locator('.tooltip').getAttribute('aria-label'))!;
    expect(tip).toContain(`query ${pieces[q]} @${q} id ${ref.text.tokens[q]}`);
    expect(tip).toContain(`key ${pieces[k]} @${k} id ${ref.text.tokens[k]}`);
    await page.mouse.move(0, 0);
  });

  test('dropped: model and tokenizer.json together open with the same tokens, pieces and maps', async () => {
    await page.goto(baseUrl);
    await page.locator('input[type="file"]').setInputFiles([`${BPE}model.onnx`, `${BPE}tokenizer.json`]);
    await page.waitForURL(/\/inspect\?ckpt=local%3Amodel\.onnx/, { timeout: ORT_TIMEOUT_MS });
    await inspect('local:model.onnx');
    const run = await waitForRun(page, { ckpt: 'local:model.onnx', text: TEXT });
    expect(run.tokens).toEqual(ref.text.tokens);
    expect((await strip()).labels).toEqual(pieces);
    await expectMaps(`${BPE}model.onnx`, run);
  });

  test('dropped alone, the model refuses text with the command line’s line naming --tokenizer', async () => {
    const alone = join(folder, 'alone.onnx');
    copyFileSync(`${BPE}model.onnx`, alone);
    await page.goto(baseUrl);
    await page.locator('input[type="file"]').setInputFiles([alone]);
    await page.waitForURL(/ckpt=local%3Aalone\.onnx/, { timeout: ORT_TIMEOUT_MS });
    expect(await statusError()).toMatch(/vocabulary is 457, not 256 bytes.*--tokenizer FILE/);
  });
});

describe('the receptive-field view', () => {
  test('reads the text through the tokenizer too: position 4 is the piece ␣cat', async () => {
    const text = 'the cat sat on the mat';
    await page.goto(`${baseUrl}/field?${new URLSearchParams({ ckpt: 'bpe.onnx', text, pos: '4' })}`);
    await page.waitForSelector('.status[data-status="ready"]', { timeout: ORT_TIMEOUT_MS });
    expect(await page.locator('label.pos input[type="range"]').getAttribute('max')).toBe('8');
    expect(await page.locator('label.pos .muted').textContent()).toBe('token “␣cat”');
  });
});

describe('bad input in the page: the command line’s messages', () => {
  test('a dropped tokenizer that is not a tokenizer.json', async () => {
    const bad = join(folder, 'config.json');
    copyFileSync(`${BPE}reference.json`, bad);
    await page.goto(baseUrl);
    await page.locator('input[type="file"]').setInputFiles([`${BPE}model.onnx`, bad]);
    await page.waitForURL(/ckpt=local%3Amodel\.onnx/, { timeout: ORT_TIMEOUT_MS });
    expect(await statusError()).toMatch(/is not a tokenizer.json: it has no "model" object/);
  });

  test('an input no rule fills, named with its shape', async () => {
    await page.goto(baseUrl);
    await page.locator('input[type="file"]').setInputFiles([`${PYTORCH_HF}extra/unfillable.onnx`]);
    await page.waitForURL(/ckpt=local%3Aunfillable\.onnx/, { timeout: ORT_TIMEOUT_MS });
    expect(await statusError()).toMatch(
      /input 'pixel_values' \[batch, 3\] \(float\) is not one smallscope can fill/,
    );
  });
});
