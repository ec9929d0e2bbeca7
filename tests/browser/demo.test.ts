import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DURSLEY_PARAGRAPH } from '../../probes/inputs/dursley';
import { serve, type Served } from '../app/server/serve';
import { cli } from '../figures/fixture';
import { REPO } from './checkpoints';
import { launch } from './chromium';
import { ORT_TIMEOUT_MS } from './helpers';
import { nodeHeads } from './node-probes';

/**
 * The main job as `npm start` runs it: `smallscope serve` with no folder serves static/checkpoints, whose
 * Conv-Attn / Attn-Attn pair is trained on the Brown corpus over GPT-2 subword ids (d_model 384, the seed's
 * size). The compare view opens on that pair and the seed's paragraph, tokenized in the browser by the
 * tokenizer each checkpoint embeds: its bars are the probes' numbers on the ids the CLI gives, the repeated
 * sentence's same-token weight (the seed's finding) included.
 */
const DEMO = join(REPO, 'static', 'checkpoints');

let server: Served;
let baseUrl: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // No --checkpoints: the demo folder, as `npm start` serves it.
  server = await serve([]);
  baseUrl = server.url;
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the app on its demo checkpoints (npm start)', () => {
  test('compare opens on the Brown pair and the Dursley paragraph, in subword tokens, with the probes’ scores', async () => {
    await page.goto(`${baseUrl}/compare`);
    await page.waitForSelector('.compare[data-ready]', { timeout: 3 * ORT_TIMEOUT_MS });
    const doc = JSON.parse(
      cli(['probe', 'attention', join(DEMO, 'conv-attn.onnx'), '--text', DURSLEY_PARAGRAPH, '--json']).stdout,
    ) as { tokens: number[][] };
    // GPT-2's first 4,096 merges make the 382-character paragraph 111 tokens (bytes would be 382).
    expect(doc.tokens[0].length).toBe(111);
    for (const [side, name] of [
      ['a', 'conv-attn.onnx'],
      ['b', 'attn-attn.onnx'],
    ] as const) {
      const { heads } = await nodeHeads(join(DEMO, name), doc.tokens, null);
      expect(heads.length).toBe(name === 'conv-attn.onnx' ? 1 : 2);
      // What `probe heads --text` prints for the passage that comes back: each head's same-token weight.
      const { repeat } = JSON.parse(
        cli(['probe', 'heads', join(DEMO, name), '--text', DURSLEY_PARAGRAPH, '--json']).stdout,
      ) as { repeat: { heads: { name: string; same_token: number }[] } };
      for (const h of heads) {
        const bar = (key: string) =>
          page.locator(`.bars-${side} g[data-head="L${h.layer}H${h.head}"] rect[data-key="${key}"]`);
        const value = async (key: string) => Number(await bar(key).getAttribute('data-value'));
        expect(Math.abs((await value('previous_token')) - h.previous_token)).toBeLessThan(1e-5);
        const same = repeat.heads.find((r) => r.name === h.name)!.same_token;
        expect(Math.abs((await value('repeat_same')) - same)).toBeLessThan(1e-5);
      }
    }
  });
});
