#!/usr/bin/env node
/**
 * A/B of builds of the page, in one browser at the same time: the machine's speed drifts by 20-30% over an hour,
 * so two runs of run.js minutes apart cannot tell a 1 ms change; here each variant gets its own server and page,
 * and the pages take turns (a block of keystrokes or hovers each, round after round), so every variant sees the
 * same machine. Reports per-phase medians and each variant's total as a ratio to the first (the reference).
 *
 *   node bench/app-latency/ab.js [--mode keys|hover] [--tokens N] [--rounds 5] [--per-round 20] [--pause 100]
 *                                VARIANT ...
 *
 * VARIANT is BUILD_DIR[@CHECKPOINT_DIR][::CSS]: a built app (copy build/ aside after `npm run build`, or build a
 * `git worktree` of another commit), the checkpoint folder to serve (default static/checkpoints, so an old and a
 * new demo file can be compared under one build) and CSS added to the page ("what if this part were hidden").
 * The same variant may be given twice (an A/A run shows the noise). Phases (ms from the keydown or pointermove):
 * drawn (the page's smallscope:drawn), layout (a forced layout right after drawn: what the frame would lay out),
 * raf (the frame starts), frame (raf to the end-of-frame message), total. Keys are driven as run.js drives them
 * (driver.js: the page settles and --pause ms pass before each key).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseCommandLine } from './args.js';
import { expectSample, keystroke, settle } from './driver.js';
import { median, textOf } from './samples.js';
import { serve } from './server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: opts, positionals } = parseCommandLine(import.meta.url, {
  allowPositionals: true,
  options: {
    mode: { type: 'string', default: 'keys' },
    tokens: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    'per-round': { type: 'string', default: '20' },
    pause: { type: 'string', default: '100' },
    model: { type: 'string', default: 'conv-attn.onnx' },
  },
});
const MODE = opts.mode;
const N = Number(opts.tokens ?? (MODE === 'hover' ? 512 : 256));
if (positionals.length === 0 || !['keys', 'hover'].includes(MODE)) {
  console.error('usage: node bench/app-latency/ab.js [--mode keys|hover] [--tokens N] VARIANT ...');
  process.exit(2);
}
const variants = positionals.map((v) => {
  const [dirs, css = ''] = v.split('::');
  const [build, checkpoints = join(ROOT, 'static/checkpoints')] = dirs.split('@');
  return { label: v, build: resolve(build), checkpoints: resolve(checkpoints), css };
});

function hooks() {
  const b = (window.__ab = {});
  const endOfFrame = (at, extra) =>
    requestAnimationFrame(() => {
      const raf = performance.now();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const end = performance.now();
        b.resolve?.({ total: end - at, raf: raf - at, frame: end - raf, ...extra });
        b.resolve = null;
      };
      ch.port2.postMessage(0);
    });
  document.addEventListener('keydown', () => (b.at = performance.now()), true);
  window.addEventListener('smallscope:drawn', (e) => {
    if (b.kind !== 'key' || e.detail.text !== b.text) return;
    const drawn = performance.now();
    void document.body.offsetTop;
    endOfFrame(b.at, { drawn: drawn - b.at, layout: performance.now() - drawn });
  });
  window.addEventListener('pointermove', () => b.kind === 'hover' && endOfFrame(performance.now(), {}), true);
}

async function open(browser, url, css) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(hooks);
  const text = textOf(MODE === 'hover' ? N : N - 1);
  await page.goto(`${url}/inspect?${new URLSearchParams({ ckpt: opts.model, text: 'ab' })}`);
  await page.waitForFunction(() => window.__smallscope?.text === 'ab', null, { timeout: 120_000 });
  await page.locator('textarea').fill(text);
  await page.waitForFunction((t) => window.__smallscope?.text === t, text, { timeout: 120_000 });
  if (css) await page.addStyleTag({ content: css });
  if (MODE === 'hover') {
    await page.locator('textarea').evaluate((el) => el.blur());
    const heatmap = page.locator('.selected .heatmap canvas');
    await heatmap.scrollIntoViewIfNeeded();
    page.box = await heatmap.boundingBox();
    page.cell = Number(await page.locator('.selected .heatmap').getAttribute('data-cell'));
  } else
    await page.locator('textarea').evaluate((el) => {
      el.focus();
      el.selectionStart = el.selectionEnd = el.value.length;
    });
  page.text = text;
  return page;
}

const arm = (want) => {
  Object.assign(window.__ab, want);
  window.__ab.done = new Promise((r) => (window.__ab.resolve = r));
};

async function sample(page, i, round) {
  if (MODE === 'hover') {
    const q = 5 + ((37 + 5 * i + round) % 150);
    const k = 5 + ((11 + 3 * i) % 150);
    const expected = await expectSample(page, arm, { kind: 'hover' }, () => window.__ab.done);
    await page.mouse.move(page.box.x + (k + 0.5) * page.cell, page.box.y + (q + 0.5) * page.cell);
    return expected.result;
  }
  const want = i % 2 === 0 ? `${page.text}x` : page.text;
  await settle(page, Number(opts.pause));
  const expected = await expectSample(page, arm, { kind: 'key', text: want }, () => window.__ab.done);
  const r = await keystroke(page, i % 2 === 0 ? 'x' : 'Backspace', expected);
  await page.waitForFunction((t) => window.__smallscope?.text === t, want, { polling: 20 });
  return r;
}

const servers = variants.map(({ build, checkpoints }) =>
  serve(['--import', 'tsx', join(ROOT, 'bench/app-latency/serve-build.ts'), build, checkpoints], {
    cwd: ROOT,
    label: `the server for ${build}`,
  }),
);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
try {
  const pages = [];
  for (const [i, v] of variants.entries()) pages.push(await open(browser, await servers[i].url, v.css));
  const results = variants.map(() => []);
  const WARMUP = 4;
  for (let round = 0; round < Number(opts.rounds); round++)
    for (const [v, page] of pages.entries()) {
      await page.bringToFront();
      for (let i = 0; i < Number(opts['per-round']) + WARMUP; i++) {
        const r = await sample(page, i, round);
        if (i >= WARMUP) results[v].push(r);
      }
    }
  const phases = MODE === 'hover' ? ['raf', 'frame', 'total'] : ['drawn', 'layout', 'raf', 'frame', 'total'];
  const ref = median(results[0].map((r) => r.total));
  console.log(`${MODE} at ${N} tokens, ${results[0].length} samples a variant; medians in ms`);
  console.log(`| variant | ${phases.join(' | ')} | total / first |`);
  console.log(`|---|${phases.map(() => '---|').join('')}---|`);
  for (const [v, rs] of results.entries()) {
    const cells = phases.map((p) => median(rs.map((r) => r[p])).toFixed(2));
    const ratio = median(rs.map((r) => r.total)) / ref;
    console.log(`| ${variants[v].label} | ${cells.join(' | ')} | ${ratio.toFixed(3)} |`);
  }
} finally {
  await browser.close();
  for (const s of servers) s.child.kill();
}
