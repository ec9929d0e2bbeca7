import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { decodeModel } from '../../format/onnx/model';
import { readModelFile } from '../../bin/model/files';
import { readRun } from '../../bin/figures/run-table';
import { runRow, sortRows, tableColumns, type RunRow } from '../../figures/run-table';
import { csv, display, latex, markdown } from '../../figures/table-format';
import { launch } from './chromium';
import { onnxNames } from './node-probes';

const baseUrl = inject('baseUrl');
const dir = inject('checkpointDir');
const runsDir = inject('runsDir');
const names = onnxNames(dir);

const num = async (p: Promise<string | null>) => Number(await p);

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

describe('the runs view', () => {
  test('lists the run folders and manifest histories, with curves', async () => {
    await page.goto(`${baseUrl}/runs`);
    const rows = await page.locator('tr[data-run]').count();
    const withHistory = names.filter(
      (n) => (decodeModel(readModelFile(join(dir, n))).manifest?.history.length ?? 0) > 0,
    );
    expect(rows).toBeGreaterThanOrEqual(withHistory.length);
    if (rows === 0) return;
    await expect(page.locator('.chart').getAttribute('data-metric')).resolves.toBe('val_loss');
    await page.locator('input[value="val_acc"]').check();
    expect(new URL(page.url()).searchParams.get('metric')).toBe('val_acc');
  });

  test('draws the error-rate curves of a masked task from its metrics.jsonl', async () => {
    await page.goto(`${baseUrl}/runs`);
    await page.locator('input[value="mask_error"]').check();
    expect(new URL(page.url()).searchParams.get('metric')).toBe('mask_error');
    const lines = readFileSync(join(runsDir, 'run-b', 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const want = lines.map(
      (l) => JSON.parse(l) as { step: number; mask_error: number; sample_error: number },
    );
    const drawn = async () =>
      page
        .locator(`.chart g.series[data-series="run:${join(runsDir, 'run-b')}"] circle title`)
        .allTextContents();
    expect(await drawn()).toEqual(want.map((p) => `run-b: step ${p.step}, ${p.mask_error.toFixed(4)}`));
    await page.locator('input[value="sample_error"]').check();
    expect(await drawn()).toEqual(want.map((p) => `run-b: step ${p.step}, ${p.sample_error.toFixed(4)}`));
    // run-a (a manifest history without error rates) has no curve here.
    await expect(
      page.locator(`.chart g.series[data-series="run:${join(runsDir, 'run-a')}"]`).count(),
    ).resolves.toBe(0);
  });

  /** Each listed run's row as `smallscope table` builds it: run folders by the CLI's readRun, checkpoints by their file. */
  async function expectedRows(): Promise<{ id: string; row: RunRow }[]> {
    const ids = await page
      .locator('tr[data-run]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-run')!));
    return ids.map((id) => {
      const [kind, where] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
      const row =
        kind === 'run'
          ? readRun(where)
          : runRow(where, { model: readModelFile(join(dir, where)), summary: null, metrics: null });
      return { id, row };
    });
  }

  test('shows the run table in the seed format, each cell as `smallscope table` prints it', async () => {
    await page.goto(`${baseUrl}/runs`);
    const want = await expectedRows();
    if (runsDir)
      expect(want.filter((w) => w.id.startsWith('run:')).map((w) => w.row.run)).toEqual(['run-a', 'run-b']);
    const columns = tableColumns(want.map((w) => w.row));
    const headers = await page.locator('table.runs thead button').allTextContents();
    expect(headers).toEqual(columns.map((c) => c.header));
    for (const { id, row } of want) {
      const cells = await page
        .locator(`tr[data-run="${id}"] td[data-col]`)
        .evaluateAll((els) => els.map((e) => [e.getAttribute('data-col'), e.textContent]));
      expect(cells).toEqual(columns.map((c) => [c.key, display(c.key, row.cells[c.key])]));
    }
    // a checkpoint's validation loss is the last one its manifest recorded
    for (const name of names) {
      const m = decodeModel(readModelFile(join(dir, name))).manifest;
      const last = m?.history.filter((h) => h.val_loss !== undefined).at(-1)?.val_loss;
      if (last === undefined) continue;
      const cell = page.locator(`tr[data-run="ckpt:${name}"] td[data-col="val_loss"]`);
      await expect(num(cell.textContent())).resolves.toBeCloseTo(last, 5);
    }
    // the exports are the CLI's formatters over these rows, in this order
    const rows = want.map((w) => w.row);
    const exported = async (f: string) =>
      decodeURIComponent(
        (await page.locator(`a.export[data-format="${f}"]`).getAttribute('href'))!
          .split(',')
          .slice(1)
          .join(','),
      );
    await expect(exported('md')).resolves.toBe(markdown(columns, rows));
    await expect(exported('csv')).resolves.toBe(csv(columns, rows));
    await expect(exported('tex')).resolves.toBe(latex(columns, rows));
  });

  test('sorts by a column as `smallscope table --sort` does, kept in the URL', async () => {
    await page.goto(`${baseUrl}/runs`);
    const want = await expectedRows();
    const columns = tableColumns(want.map((w) => w.row));
    await page.locator('button[data-sort="val_loss"]').click();
    await page.locator('button[data-sort="val_loss"]').click();
    expect(new URL(page.url()).searchParams.get('sort')).toBe('val_loss:desc');
    const order = sortRows(
      columns,
      want.map((w) => w.row),
      'val_loss:desc',
    ).map((r) => want.find((w) => w.row === r)!.id);
    const shown = await page
      .locator('tr[data-run]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));
    expect(shown).toEqual(order);
    await page.reload();
    const again = await page
      .locator('tr[data-run]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-run')));
    expect(again).toEqual(order);
  });

  test('the run table stays within the window (it scrolls in its frame) and names each column once', async () => {
    await page.goto(`${baseUrl}/runs`);
    await page.locator('table.runs').waitFor();
    const headers = await page.locator('table.runs thead th').allTextContents();
    const names = headers.map((h) => h.replace(/[▲▼]/g, '').trim());
    expect(names.length).toBeGreaterThan(10);
    expect(new Set(names).size, names.join(' | ')).toBe(names.length);
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      window: window.innerWidth,
      frame: document.querySelector('.table-frame')!.getBoundingClientRect().right,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.window);
    expect(widths.frame).toBeLessThanOrEqual(widths.window);
  });
});
