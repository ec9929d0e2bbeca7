#!/usr/bin/env node
/**
 * Rendering phases of the inspect page per hover or keystroke, from a Chrome trace: CPU (thread time) and
 * wall ms per repetition of each trace event on the renderer's main thread, compositor, raster and viz
 * threads. A helper for bench/app-latency/run.js, over an existing build/.
 *
 *   node bench/app-latency/trace.js hover|keys [TOKENS] [CSS to inject, e.g. 'text.tick{display:none}']
 */
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from './server.js';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const mode = process.argv[2] ?? 'hover';
const N = Number(process.argv[3] ?? 512);
const { child, url } = serve(
  [ROOT + '/bin/smallscope.js', 'serve', '--checkpoints', ROOT + '/static/checkpoints', '--port', '0'],
  { cwd: ROOT, label: 'smallscope serve' },
);
const baseUrl = await url;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const text = 'the quiet river bends around the old mill and a heron waits '.repeat(100).slice(0, N - 1);
  await page.goto(`${baseUrl}/inspect?${new URLSearchParams({ ckpt: 'conv-attn.onnx', text: 'ab' })}`);
  await page.waitForFunction(() => window.__smallscope?.text === 'ab', null, { timeout: 120000 });
  await page.locator('textarea').fill(text);
  await page.waitForFunction((t) => window.__smallscope?.text === t, text, { timeout: 120000 });
  if (process.argv[4]) await page.addStyleTag({ content: process.argv[4] });
  const heatmap = page.locator('.selected .heatmap canvas');
  let box, cell;
  if (mode === 'hover') {
    await heatmap.scrollIntoViewIfNeeded();
    box = await heatmap.boundingBox();
    cell = Number(await page.locator('.selected .heatmap').getAttribute('data-cell'));
    await page.mouse.move(box.x + 5, box.y + 5);
  } else
    await page.locator('textarea').evaluate((el) => {
      el.focus();
      el.selectionStart = el.selectionEnd = el.value.length;
    });
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'gpu', 'viz'],
  });
  const reps = 20;
  for (let i = 0; i < reps; i++) {
    if (mode === 'hover') await page.mouse.move(box.x + (5 + i) * cell + 1, box.y + (50 + i) * cell + 1);
    else {
      const want = i % 2 === 0 ? `${text}x` : text;
      await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
      await page.waitForFunction((t) => window.__smallscope?.text === t, want, { polling: 20 });
    }
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 30))));
  }
  const buf = await browser.stopTracing();
  const { traceEvents } = JSON.parse(buf.toString());
  // renderer main thread: CrRendererMain
  const names = new Map();
  for (const e of traceEvents) if (e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const agg = new Map();
  for (const e of traceEvents) {
    if (e.ph !== 'X' || !e.dur) continue;
    const th = names.get(`${e.pid}:${e.tid}`) ?? '?';
    if (!/CrRendererMain|Compositor|Viz|GPU|Raster|Tile/i.test(th)) continue;
    const k = `${th.slice(0, 22).padEnd(22)} ${e.name}`;
    const a = agg.get(k) ?? { dur: 0, tdur: 0, n: 0 };
    a.dur += e.dur / 1000;
    a.tdur += (e.tdur ?? 0) / 1000;
    a.n++;
    agg.set(k, a);
  }
  for (const [k, a] of [...agg].sort((x, y) => y[1].tdur - x[1].tdur).slice(0, 40))
    console.log(
      `${(a.tdur / reps).toFixed(2).padStart(8)} cpu ${(a.dur / reps).toFixed(2).padStart(8)} wall  x${(a.n / reps).toFixed(1)}  ${k}`,
    );
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
