import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page, Response } from 'playwright-core';
import { launch } from './chromium';
import { openInspect, waitForRun } from './helpers';
import { readdirSync } from 'node:fs';

const baseUrl = inject('baseUrl');
const dir = inject('checkpointDir');
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.onnx'))
  .sort();

const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

let browser: Browser;
let page: Page;
const responses: Response[] = [];

beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage();
  page.on('response', (r) => responses.push(r));
});
afterAll(async () => {
  await browser?.close();
});

describe('the server', () => {
  test('sets COOP/COEP/CORP on the document, the app chunks and the ORT runtime files', async () => {
    await openInspect(page, baseUrl, { ckpt: names[0], text: 'abc' });
    const doc = responses.find((r) => r.request().resourceType() === 'document');
    const chunk = responses.find(
      (r) => new URL(r.url()).pathname.startsWith('/_app/immutable/') && r.url().endsWith('.js'),
    );
    const ort = responses.filter((r) => new URL(r.url()).pathname.startsWith('/ort/'));
    expect(doc, 'document response').toBeDefined();
    expect(chunk, 'a /_app/immutable/*.js response').toBeDefined();
    expect(ort.map((r) => new URL(r.url()).pathname)).toContain('/ort/ort-wasm-simd-threaded.mjs');
    for (const r of [doc!, chunk!, ...ort]) {
      expect(await r.allHeaders(), r.url()).toMatchObject(ISOLATION);
    }
    // The wasm binary is fetched by ORT; check it directly too, as a worker's fetch may not show as a page response.
    const wasm = await fetch(`${baseUrl}/ort/ort-wasm-simd-threaded.wasm`, { method: 'HEAD' });
    expect(wasm.status).toBe(200);
    for (const [k, v] of Object.entries(ISOLATION)) expect(wasm.headers.get(k), k).toBe(v);
  });

  test('the page is cross-origin isolated, so ORT runs with threads', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const status = page.locator('.status');
    await expect(status.textContent()).resolves.toMatch(/onnxruntime-web,\s+\d+\s+threads?/);
    // Threads = min(4, cores) when isolated; 1 would mean ORT fell back (no SharedArrayBuffer).
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    await expect(status.getAttribute('data-threads')).resolves.toBe(String(Math.min(4, cores)));
  });

  test('headers are set on 404s and API responses as well', async () => {
    for (const path of ['/no-such-page', '/api/checkpoints', '/favicon.svg']) {
      const res = await fetch(`${baseUrl}${path}`);
      for (const [k, v] of Object.entries(ISOLATION)) expect(res.headers.get(k), `${path} ${k}`).toBe(v);
    }
  });

  test('/api/checkpoints/NAME serves the file and refuses names outside the folders', async () => {
    const ok = await fetch(`${baseUrl}/api/checkpoints/${names[0]}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/octet-stream');
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(0);
    expect((await fetch(`${baseUrl}/api/checkpoints/..%2F..%2Fetc%2Fpasswd`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/api/checkpoints/not-a-model.txt`)).status).toBe(400);
    expect((await fetch(`${baseUrl}/api/checkpoints/absent.onnx`)).status).toBe(404);
  });
});

describe('the library', () => {
  test('/api/checkpoints lists every checkpoint with its attention outputs', async () => {
    const body = (await (await fetch(`${baseUrl}/api/checkpoints`)).json()) as {
      checkpoints: { name: string; bytes: number; attentionOutputs: string[] }[];
    };
    expect(body.checkpoints.map((c) => c.name).sort()).toEqual(names);
    for (const c of body.checkpoints) {
      expect(c.bytes).toBeGreaterThan(0);
      expect(c.attentionOutputs.length, c.name).toBeGreaterThan(0);
    }
  });

  test('the library page lists each checkpoint, linking to its inspect view', async () => {
    await page.goto(baseUrl);
    for (const name of names) {
      const link = page.locator(`tr[data-checkpoint="${name}"] th a`);
      await expect(link.textContent()).resolves.toBe(name);
      const href = await link.getAttribute('href');
      expect(new URL(href!, baseUrl).searchParams.get('ckpt')).toBe(name);
    }
  });

  test('inspect without a checkpoint in the URL opens the one with the highest induction score', async () => {
    const body = (await (await fetch(`${baseUrl}/api/checkpoints`)).json()) as {
      checkpoints: { name: string; scores: { induction: { value: number } | null } }[];
    };
    const scored = body.checkpoints.filter((c) => c.scores.induction !== null);
    expect(scored.length, 'the served folder holds checkpoints with head scores').toBeGreaterThan(0);
    const best = scored.reduce((a, c) => (c.scores.induction!.value > a.scores.induction!.value ? c : a));
    await page.goto(`${baseUrl}/inspect`);
    const run = await waitForRun(page, {});
    expect(run.ckpt).toBe(best.name);
    // The demo folder: the Conv-Attn model, not attn-attn.onnx, which sorts first.
    if (names.includes('conv-attn.onnx') && names.includes('attn-attn.onnx'))
      expect(run.ckpt).toBe('conv-attn.onnx');
  });
});
