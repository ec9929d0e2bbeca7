#!/usr/bin/env node
/**
 * Where a keystroke's time goes on the inspect page: the CPU profile (CDP Profiler) of a few keystrokes at N
 * tokens, as self time per function, plus the page's rendering time from a trace-free summary
 * (Performance.getMetrics before and after). A helper for bench/app-latency/run.js, over an existing build/.
 *
 *   node bench/app-latency/profile.js [--tokens 2048] [--keys 6] [--hover]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseCommandLine } from './args.js';
import { serve } from './server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: opts } = parseCommandLine(import.meta.url, {
  options: {
    tokens: { type: 'string', default: '2048' },
    keys: { type: 'string', default: '6' },
    hover: { type: 'boolean', default: false },
    model: { type: 'string', default: 'conv-attn.onnx' },
  },
});
const N = Number(opts.tokens);

const { child, url } = serve(
  [
    join(ROOT, 'bin/smallscope.js'),
    'serve',
    '--checkpoints',
    join(ROOT, 'static/checkpoints'),
    '--port',
    '0',
  ],
  { cwd: ROOT, label: 'smallscope serve' },
);
const baseUrl = await url;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const words = 'the quiet river bends around the old mill and a heron waits '.repeat(200);
  const text = words.slice(0, N - 1);
  await page.goto(`${baseUrl}/inspect?${new URLSearchParams({ ckpt: opts.model, text: 'ab' })}`);
  await page.waitForFunction(() => window.__smallscope?.text === 'ab', null, { timeout: 120_000 });
  await page.locator('textarea').fill(text);
  await page.waitForFunction((t) => window.__smallscope?.text === t, text, { timeout: 120_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Performance.enable');
  const m0 = await cdp.send('Performance.getMetrics');
  await cdp.send('Profiler.start');
  if (opts.hover) {
    const heatmap = page.locator('.selected .heatmap canvas');
    await heatmap.scrollIntoViewIfNeeded();
    const box = await heatmap.boundingBox();
    const cell = Number(await page.locator('.selected .heatmap').getAttribute('data-cell'));
    for (let i = 0; i < 40; i++) {
      await page.mouse.move(box.x + (5 + i) * cell, box.y + (50 + i) * cell);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    }
  } else {
    await page.locator('textarea').evaluate((el) => {
      el.focus();
      el.selectionStart = el.selectionEnd = el.value.length;
    });
    for (let i = 0; i < Number(opts.keys); i++) {
      const want = i % 2 === 0 ? `${text}x` : text;
      await page.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
      await page.waitForFunction((t) => window.__smallscope?.text === t, want, {
        timeout: 120_000,
        polling: 20,
      });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    }
  }
  const { profile } = await cdp.send('Profiler.stop');
  const m1 = await cdp.send('Performance.getMetrics');
  const metric = (m, name) => m.metrics.find((x) => x.name === name)?.value ?? 0;
  for (const name of ['ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration', 'TaskDuration'])
    console.log(`${name.padEnd(20)} ${((metric(m1, name) - metric(m0, name)) * 1000).toFixed(1)} ms`);

  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`profile ${total.toFixed(0)} ms over ${opts.hover ? '40 hovers' : `${opts.keys} keystrokes`}`);
  for (const [k, v] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(`${v.toFixed(1).padStart(9)} ms  ${k}`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
