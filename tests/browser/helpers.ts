import type { Page } from 'playwright-core';
import type { PageSnapshot } from '../../src/lib/inspect/page-snapshot';

/** How long ORT may take to fetch the model, start its workers and run once. COEP failure is a hang. */
export const ORT_TIMEOUT_MS = 60_000;

/** Load /inspect with the given query and wait for the first run to be drawn. */
export async function openInspect(
  page: Page,
  baseUrl: string,
  query: Record<string, string>,
): Promise<PageSnapshot> {
  await page.goto(`${baseUrl}/inspect?${new URLSearchParams(query)}`);
  return waitForRun(page, {});
}

/** What to wait for in window.__smallscope: a run of this text / checkpoint (any run when empty). */
export interface RunWanted {
  text?: string;
  ckpt?: string;
}

/** Wait until the page has drawn a run matching `want`, naming the page status on timeout. */
export async function waitForRun(page: Page, want: RunWanted): Promise<PageSnapshot> {
  try {
    await page.waitForFunction(
      (w: RunWanted) => {
        const s = window.__smallscope;
        return (
          s !== undefined &&
          (w.text === undefined || s.text === w.text) &&
          (w.ckpt === undefined || s.ckpt === w.ckpt)
        );
      },
      want,
      { timeout: ORT_TIMEOUT_MS, polling: 100 },
    );
  } catch (err) {
    const status = await page
      .locator('.status')
      .textContent()
      .catch(() => '(no status line)');
    throw new Error(
      `the inspect page did not finish a run: status "${status?.replace(/\s+/g, ' ').trim()}" (${(err as Error).message})`,
    );
  }
  return (await page.evaluate(() => window.__smallscope)) as PageSnapshot;
}
/** The same position-weighted sum the page shows as data-checksum, over float32-rounded values. */
export function checksumOf(rows: number[][]): string {
  const flat = new Float32Array(rows.flat());
  let s = 0;
  for (let i = 0; i < flat.length; i++) s += flat[i] * ((i % 97) + 1);
  return s.toFixed(6);
}
