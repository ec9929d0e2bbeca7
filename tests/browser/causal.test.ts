import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallscope } from '../helpers/cli';
import { launch } from './chromium';
import { onnxNames } from './node-probes';
import { openInspect, waitForRun } from './helpers';

/**
 * The inspect page's causal view against the command line: the loss strip draws `probe ablate --json`'s
 * loss.per_token, a toggled head draws its per_token_delta, and the ablation table its loss_delta.
 */
const baseUrl = inject('baseUrl');
const dir = inject('checkpointDir');
const name = onnxNames(dir)[0];
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-causal-page-'));
const TOL = 1e-4;

let browser: Browser;
let page: Page;

/** `probe ablate --json` on these tokens, as a user runs it. */
function probeAblate(tokens: number[]) {
  const file = join(scratch, 'tokens.json');
  writeFileSync(file, JSON.stringify([tokens]));
  const r = smallscope('probe', 'ablate', join(dir, name), '--tokens-file', file, '--json');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as {
    loss: { baseline: number; per_token: number[][] };
    heads: { layer: number; head: number; loss_delta: number; per_token_delta: number[][] }[];
  };
}

/** The numbers a row of the loss strip draws (data-loss or data-delta), by position. */
async function drawn(attr: 'loss' | 'delta'): Promise<number[]> {
  return page.locator(`.loss [data-${attr}]`).evaluateAll(
    (cells, a) =>
      cells
        .map((c) => [Number(c.getAttribute('data-pos')), Number(c.getAttribute(`data-${a}`))])
        .sort((x, y) => x[0] - y[0])
        .map((x) => x[1]),
    attr,
  );
}

function expectClose(got: number[], want: number[], what: string) {
  expect(got.length, what).toBe(want.length);
  const worst = Math.max(...got.map((g, i) => Math.abs(g - want[i])));
  expect(worst, `${what}: largest difference`).toBeLessThan(TOL);
}

beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});
afterAll(async () => {
  await browser?.close();
});

describe('the inspect page: loss strip and ablation', () => {
  test("the loss strip draws probe ablate's per-token loss; toggling a head draws its per-token change", async () => {
    const first = await openInspect(page, baseUrl, { ckpt: name, text: 'abcabcabc xyz abcabc' });
    const ref = probeAblate(first.tokens);
    expectClose(await drawn('loss'), ref.loss.per_token[0], 'clean loss');
    expect(Number(await page.locator('[data-loss-mean]').getAttribute('data-loss-mean'))).toBeCloseTo(
      ref.loss.baseline,
      4,
    );

    // Toggle the head whose ablation changes the loss most, so the delta row has something to show.
    const target = ref.heads.reduce((a, b) => (Math.abs(b.loss_delta) > Math.abs(a.loss_delta) ? b : a));
    const before = first.runs;
    await page.locator(`[data-ablate="${target.layer}.${target.head}"]`).click();
    await page.waitForFunction((n) => (window.__smallscope?.runs ?? 0) > n, before);
    await page.waitForFunction(() => window.__smallscope?.loss?.ablated != null);
    expect(new URL(page.url()).searchParams.get('ablate')).toBe(`${target.layer}.${target.head}`);
    expect(
      await page.locator(`[data-ablate="${target.layer}.${target.head}"]`).getAttribute('aria-pressed'),
    ).toBe('true');
    expectClose(await drawn('delta'), target.per_token_delta[0], `L${target.layer}H${target.head} delta`);
    const ablatedLoss = ref.loss.per_token[0].map((l, t) => l + target.per_token_delta[0][t]);
    expectClose(await drawn('loss'), ablatedLoss, 'ablated loss');

    // The ablation is in the URL: a reload runs with it.
    await page.reload();
    await waitForRun(page, { text: first.text });
    await page.waitForFunction(() => window.__smallscope?.loss?.ablated != null);
    expectClose(await drawn('delta'), target.per_token_delta[0], 'delta after a reload');

    // Toggling it again goes back to the clean loss, with no delta row.
    await page.locator(`[data-ablate="${target.layer}.${target.head}"]`).click();
    await page.waitForFunction(() => window.__smallscope?.loss?.ablated === null);
    expect(await drawn('delta')).toEqual([]);
    expectClose(await drawn('loss'), ref.loss.per_token[0], 'clean loss again');
  });

  test("the ablation and patching tables draw probe ablate's loss_delta and probe patch's recovered share", async () => {
    const s = await waitForRun(page, {});
    const ref = probeAblate(s.tokens);
    await page.locator('[data-compute-effects]').click();
    const cells = (kind: string) =>
      page.locator(`table[data-kind=${kind}] td[data-value]`).evaluateAll((tds) =>
        tds.map((td) => ({
          layer: Number(td.getAttribute('data-layer')),
          head: Number(td.getAttribute('data-head')),
          value: td.getAttribute('data-value'),
        })),
      );
    await page.locator('table[data-kind=patching]').waitFor({ timeout: 60_000 });
    const ablation = await cells('ablation');
    expect(ablation).toHaveLength(ref.heads.length);
    for (const h of ref.heads) {
      const c = ablation.find((x) => x.layer === h.layer && x.head === h.head)!;
      expect(Math.abs(Number(c.value) - h.loss_delta), `L${h.layer}H${h.head}`).toBeLessThan(TOL);
    }
    // The page's corrupted text: the last token changed to the next id (figures/causal-props.ts corruptLast).
    const corrupt = s.tokens.map((t, i) => (i === s.tokens.length - 1 ? (t + 1) % 256 : t));
    const file = join(scratch, 'pair.json');
    writeFileSync(file, JSON.stringify([s.tokens, corrupt]));
    const r = smallscope('probe', 'patch', join(dir, name), '--tokens-file', file, '--json');
    expect(r.stderr).toBe('');
    const table = JSON.parse(r.stdout).table as (number | null)[][];
    const patching = await cells('patching');
    expect(patching).toHaveLength(table.flat().length);
    for (const c of patching) {
      const want = table[c.layer][c.head];
      if (want === null) expect(c.value).toBe('');
      else expect(Math.abs(Number(c.value) - want), `L${c.layer}H${c.head}`).toBeLessThan(TOL);
    }
  });
});
