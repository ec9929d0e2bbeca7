import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PYTORCH_GPT2 } from '../fixtures/paths';
import { serve, type Served } from '../app/server/serve';
import { launch } from './chromium';
import { openInspect } from './helpers';

/**
 * The inspect page on a foreign GPT-2 style export served from a folder (`smallscope serve --checkpoints
 * DIR`): its default text is longer than the 128 rows of the model's position table, which only the graph
 * states. The page cuts the text to 128 tokens and says so, where it showed ONNX Runtime's raw
 * "idx=128 must be within the inclusive range [-128,127]".
 */
let server: Served;
let dir: string;
let baseUrl: string;
let browser: Browser;
let page: Page;
const consoleLines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'smallscope-gpt2-page-'));
  copyFileSync(PYTORCH_GPT2, join(dir, 'gpt2.onnx'));
  server = await serve(['--checkpoints', dir]);
  baseUrl = server.url;
  browser = await launch();
  page = await browser.newPage();
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the inspect page on gpt2.onnx (context 128, found in the graph)', () => {
  const long = 'the quick brown fox jumps over the lazy dog. '.repeat(5); // 225 bytes

  test('cuts a 225-byte text to 128 tokens and says why in the status line', async () => {
    expect(long).toHaveLength(225);
    const s = await openInspect(page, baseUrl, { ckpt: 'gpt2.onnx', text: long });
    expect(s.tokens).toHaveLength(128);
    expect(s.tokens).toEqual(Array.from(new TextEncoder().encode(long.slice(0, 128))));
    // 2 layers x 4 heads, each 128 x 128
    expect(Object.keys(s.patterns)).toEqual(['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_pattern']);
    for (const p of Object.values(s.patterns))
      expect([p.length, p[0].length, p[0][0].length]).toEqual([4, 128, 128]);
    const status = (await page.locator('.status').textContent())!.replace(/\s+/g, ' ');
    expect(status).toContain(
      '128 tokens (text of 225 cut to the model’s maximum, 128: position table /wpe/Gather)',
    );
    expect(await page.locator('.status .error').count()).toBe(0);
  });

  test("the page's default text runs too, and ONNX Runtime logs nothing to the console", async () => {
    const s = await openInspect(page, baseUrl, { ckpt: 'gpt2.onnx' });
    expect(s.tokens.length).toBeLessThanOrEqual(128);
    expect(consoleLines.filter((l) => /onnxruntime|OrtRun|Gather/i.test(l))).toEqual([]);
  });
});

describe('the library on gpt2.onnx', () => {
  test('states the context found in the graph, as `smallscope inspect` does', async () => {
    const body = (await (await fetch(`${baseUrl}/api/checkpoints`)).json()) as {
      checkpoints: { name: string; context: { max_tokens: number; from: string } | null }[];
    };
    expect(body.checkpoints.find((c) => c.name === 'gpt2.onnx')!.context).toEqual({
      max_tokens: 128,
      from: 'position table /wpe/Gather',
    });
    await page.goto(baseUrl);
    const row = page.locator('tr[data-checkpoint="gpt2.onnx"] [data-context]');
    expect(await row.getAttribute('data-context')).toBe('128');
    expect((await row.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      'context 128 tokens (position table /wpe/Gather)',
    );
  });
});
