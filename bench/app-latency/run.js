#!/usr/bin/env node
/**
 * Latency of the inspect page in headless chromium (a benchmark, not a test): keystroke to repainted heatmaps
 * on the demo Conv-Attn model at 256 and 2048 tokens, and hover redraw on a 512-token heatmap.
 * Targets (the issue): keystroke <= 16 ms at 256 tokens, <= 50 ms at 2048; hover <= 4 ms at 512.
 *
 *   node bench/app-latency/run.js [--rebuild | --reuse-build] [--rounds 3] [--keys 30] [--hovers 60]
 *                                 [--sizes 256,2048] [--hover-size 512] [--model conv-attn.onnx] [--json FILE]
 *                                 [--pause 100] [--cpu]
 *
 * It builds the app when build/ is missing (or with --rebuild), starts `smallscope serve` on a free port over
 * static/checkpoints, as the browser tests do, and opens /inspect in Debian's chromium with the suite's launch
 * options. Timings are taken in the page with performance.now():
 *  - keystroke: from the keydown listener (capture phase) to the end of the first frame after the page says
 *    the heatmaps of that text are drawn (its `smallscope:drawn` event, fired after Svelte applied the run;
 *    then requestAnimationFrame, then a MessageChannel task, which runs once that frame is produced).
 *    Keys alternate a typed letter and Backspace at the end of a text of N-1 tokens, so every run has N-1 or N
 *    tokens. Before each key the page finishes what it defers past a frame (URL, head scores) and paints it,
 *    then --pause ms pass (default 100: a fast typist's ten keys a second); the key is released after its
 *    frame, as a typist's is. None of the driver's own calls runs in the page inside a measured window
 *    (driver.js).
 *  - hover: from the pointermove listener (capture phase) to the end of that frame (requestAnimationFrame, then
 *    a MessageChannel task), over successive cells of the selected head's heatmap; the cursor attribute is
 *    checked to have moved to the cell.
 * Also reported: onnxruntime-web's own wall time per run (the page's `ms`, session.run plus output copies) as a
 * reference measured in the same run, since the machine may be shared, and ORT's thread count. With --cpu,
 * a Chrome trace gives each sample's CPU (thread) time in the page's renderer, main thread and all its task
 * threads (not ORT's wasm worker threads), which other load on the machine inflates far less than wall time
 * (the trace itself adds a little).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { parseCommandLine } from './args.js';
import { expectSample, keystroke, settle } from './driver.js';
import { median, p90, textOf } from './samples.js';
import { serve } from './server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const { values: opts } = parseCommandLine(import.meta.url, {
  options: {
    rebuild: { type: 'boolean', default: false },
    'reuse-build': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    keys: { type: 'string', default: '30' },
    hovers: { type: 'string', default: '60' },
    pause: { type: 'string', default: '100' },
    sizes: { type: 'string', default: '256,2048' },
    'hover-size': { type: 'string', default: '512' },
    model: { type: 'string', default: 'conv-attn.onnx' },
    checkpoints: { type: 'string', default: join(ROOT, 'static', 'checkpoints') },
    json: { type: 'string' },
    cpu: { type: 'boolean', default: false },
    // Heads zero-ablated in the loss strip (the URL's ablate=L.H,...): each keystroke then runs the text twice.
    ablate: { type: 'string', default: '' },
  },
});
const ROUNDS = Number(opts.rounds);
const KEYS = Number(opts.keys);
const HOVERS = Number(opts.hovers);
const PAUSE = Number(opts.pause);
const SIZES = opts.sizes.split(',').map(Number);
const HOVER_SIZE = Number(opts['hover-size']);
const WARMUP = 4;

const buildId = () => {
  const f = join(ROOT, 'build', 'client', '_app', 'version.json');
  return existsSync(f) ? `${readFileSync(f, 'utf8').trim()}@${statSync(f).mtimeMs}` : null;
};

if (opts.rebuild || (!opts['reuse-build'] && !existsSync(join(ROOT, 'build', 'handler.js')))) {
  console.error('building the app (npm run build) ...');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!existsSync(join(ROOT, 'build', 'handler.js'))) {
  console.error('bench: no build/ (run without --reuse-build, or `npm run build`)');
  process.exit(1);
}
if (!existsSync(join(opts.checkpoints, opts.model))) {
  console.error(`bench: ${opts.model} is not in ${opts.checkpoints}`);
  process.exit(1);
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** Hooks in the page: the keydown / pointermove time, and a promise per measured event. */
function installHooks() {
  const b = (window.__bench = { at: 0, want: null });
  const endOfFrame = (done) =>
    requestAnimationFrame(() => {
      const raf = performance.now();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => done(raf, performance.now());
      ch.port2.postMessage(0);
    });
  document.addEventListener(
    'keydown',
    (e) => {
      b.at = performance.now();
      b.stamp = e.timeStamp;
    },
    true,
  );
  window.addEventListener('smallscope:drawn', (e) => {
    const w = b.want;
    if (!w || w.kind !== 'key' || e.detail.text !== w.text) return;
    b.want = null;
    const drawn = performance.now();
    const { at, stamp } = b;
    endOfFrame((raf, end) =>
      w.resolve({
        total: end - at,
        stamped: end - stamp,
        drawn: drawn - at,
        raf: raf - at,
        ms: e.detail.ms,
        t0: at,
        t1: end,
      }),
    );
  });
  window.addEventListener(
    'pointermove',
    () => {
      const w = b.want;
      if (!w || w.kind !== 'hover') return;
      b.want = null;
      const at = performance.now();
      endOfFrame((raf, end) => {
        const el = document.querySelector('.selected .heatmap');
        w.resolve({
          total: end - at,
          raf: raf - at,
          t0: at,
          t1: end,
          q: Number(el?.getAttribute('data-hover-query')),
          k: Number(el?.getAttribute('data-hover-key')),
        });
      });
    },
    true,
  );
}

/** Arm the page's hook for one sample of `kind` (for a keystroke: the text it makes) and start waiting for it. */
const expect = (page, kind, text) =>
  expectSample(
    page,
    ([kind, text]) => {
      const b = window.__bench;
      b.done = new Promise((resolve) => (b.want = { kind, text, resolve }));
    },
    [kind, text],
    () => window.__bench.done,
  );

async function waitForText(page, text) {
  await page.waitForFunction((t) => window.__smallscope?.text === t, text, { timeout: 120_000, polling: 50 });
}

/** Put `text` in the box, wait for its run, and put the caret at the end. */
async function setText(page, text) {
  await page.locator('textarea').fill(text);
  await waitForText(page, text);
  await page.locator('textarea').evaluate((el) => {
    el.focus();
    el.selectionStart = el.selectionEnd = el.value.length;
  });
}

async function keystrokes(page, n) {
  const base = textOf(n - 1);
  await setText(page, base);
  const samples = [];
  for (let i = 0; i < WARMUP + KEYS; i++) {
    const typing = i % 2 === 0;
    const want = typing ? `${base}x` : base;
    await settle(page, PAUSE);
    const r = await keystroke(page, typing ? 'x' : 'Backspace', await expect(page, 'key', want));
    if (i >= WARMUP) samples.push(r);
    await waitForText(page, want);
  }
  const tokens = await page.evaluate(() => window.__smallscope.tokens.length);
  if (tokens !== n - 1) throw new Error(`the page ran ${tokens} tokens, not ${n - 1} (cut at its maximum?)`);
  return samples;
}

async function hovers(page, n) {
  await setText(page, textOf(n, 11));
  await page.locator('textarea').evaluate((el) => el.blur());
  const heatmap = page.locator('.selected .heatmap');
  await heatmap.locator('canvas').scrollIntoViewIfNeeded();
  const cell = Number(await heatmap.getAttribute('data-cell'));
  const box = await heatmap.locator('canvas').boundingBox();
  // Visible cells only: the plot may be larger than its scrolling frame and the viewport.
  const frame = await page.locator('.selected .frame').boundingBox();
  const viewport = page.viewportSize();
  const [top, bottom] = [
    Math.max(box.y, frame.y, 0),
    Math.min(box.y + box.height, frame.y + frame.height - 20, viewport.height), // 20: a scrollbar
  ];
  const [left, right] = [
    Math.max(box.x, frame.x, 0),
    Math.min(box.x + box.width, frame.x + frame.width - 20, viewport.width),
  ];
  const [q0, q1] = [Math.ceil((top - box.y) / cell) + 1, Math.floor((bottom - box.y) / cell) - 2];
  const [k0, k1] = [Math.ceil((left - box.x) / cell) + 1, Math.floor((right - box.x) / cell) - 2];
  if (q1 - q0 < 8 || k1 - k0 < 8) throw new Error('hover: the heatmap is not on screen');
  await page.mouse.move(box.x + (k0 + 0.5) * cell, box.y + (q0 + 0.5) * cell);
  const samples = [];
  for (let i = 0; i < WARMUP + HOVERS; i++) {
    const q = q0 + ((37 + 5 * i) % (q1 - q0 + 1));
    const k = k0 + ((11 + 3 * i) % (k1 - k0 + 1));
    const expected = await expect(page, 'hover');
    await page.mouse.move(box.x + (k + 0.5) * cell, box.y + (q + 0.5) * cell);
    const r = await expected.result;
    if (r.q !== q || r.k !== k) throw new Error(`hover: the cursor is at (${r.q}, ${r.k}), not (${q}, ${k})`);
    if (i >= WARMUP) samples.push(r);
  }
  await page.mouse.move(0, 0);
  return samples;
}

/**
 * CPU time (thread time, so not inflated by other processes on a shared machine) that the page's renderer
 * spent inside each sample's window: `cpuMain` on its main thread, `cpuAll` over all its threads (ORT's
 * worker threads, compositor, raster). Tasks are counted in proportion to their overlap with the window.
 */
function cpuTimes(events, syncAt, samples) {
  const mark = events.find((e) => e.name === 'bench:sync');
  if (!mark) throw new Error('--cpu: the trace has no bench:sync mark');
  const pid = mark.pid;
  const offset = mark.ts / 1000 - syncAt; // trace ms = page ms + offset
  const names = new Map();
  for (const e of events) if (e.name === 'thread_name' && e.pid === pid) names.set(e.tid, e.args.name);
  // Top-level tasks: the main thread's and compositor's task loop, raster workers, the thread pool. ORT's
  // wasm threads (dedicated workers spinning or waiting on the wasm memory) are not task-shaped: not counted.
  const TOP = new Set(['ThreadControllerImpl::RunTask', 'TaskGraphRunner::RunTask', 'ThreadPool_RunTask']);
  const tasks = events.filter(
    (e) => e.pid === pid && e.ph === 'X' && TOP.has(e.name) && e.dur > 0 && e.tdur !== undefined,
  );
  for (const s of samples) {
    const [a, b] = [s.t0 + offset, s.t1 + offset];
    s.cpuMain = 0;
    s.cpuAll = 0;
    for (const e of tasks) {
      const [start, end] = [e.ts / 1000, (e.ts + e.dur) / 1000];
      const overlap = Math.min(b, end) - Math.max(a, start);
      if (overlap <= 0) continue;
      const cpu = (e.tdur / 1000) * (overlap / (end - start));
      s.cpuAll += cpu;
      if (names.get(e.tid) === 'CrRendererMain') s.cpuMain += cpu;
    }
  }
}

async function round(browser, baseUrl) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(installHooks);
  await page.goto(
    `${baseUrl}/inspect?${new URLSearchParams({ ckpt: opts.model, text: textOf(32), ...(opts.ablate ? { ablate: opts.ablate } : {}) })}`,
  );
  await waitForText(page, textOf(32));
  const info = await page.evaluate(() => ({
    isolated: globalThis.crossOriginIsolated,
    cores: navigator.hardwareConcurrency,
    threads: Number(document.querySelector('.status')?.getAttribute('data-threads')),
  }));
  if (opts.cpu) {
    await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
  }
  const sync = await page.evaluate(() => performance.mark('bench:sync').startTime);
  const keys = {};
  for (const n of SIZES) keys[n] = await keystrokes(page, n);
  const hover = await hovers(page, HOVER_SIZE);
  if (opts.cpu)
    cpuTimes(JSON.parse((await browser.stopTracing()).toString()).traceEvents, sync, [
      ...Object.values(keys).flat(),
      ...hover,
    ]);
  await page.close();
  return { info, keys, hover };
}

const before = buildId();
const server = serve(
  [join(ROOT, 'bin/smallscope.js'), 'serve', '--checkpoints', opts.checkpoints, '--port', '0'],
  { cwd: ROOT, label: 'smallscope serve' },
);
let browser;
try {
  const baseUrl = await server.url;
  browser = await chromium.launch({ executablePath: CHROMIUM });
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    const res = await round(browser, baseUrl);
    if (buildId() !== before)
      throw new Error('build/ changed during the run (rebuilt elsewhere?): run again');
    rounds.push(res);
    const line = SIZES.map((n) => `${n} tok ${f1(median(res.keys[n].map((s) => s.total)))} ms`).join(', ');
    console.error(
      `round ${r + 1}/${ROUNDS}: keystroke median ${line}; hover ${f1(median(res.hover.map((s) => s.total)))} ms`,
    );
  }
  const info = rounds[0].info;
  const all = (f) => rounds.flatMap(f);
  const rows = [];
  for (const n of SIZES) {
    const s = all((r) => r.keys[n]);
    const perRound = rounds.map((r) => median(r.keys[n].map((x) => x.total)));
    rows.push({
      what: `keystroke to repaint, ${n} tokens`,
      median: median(s.map((x) => x.total)),
      p90: p90(s.map((x) => x.total)),
      rounds: perRound,
      stamped: median(s.map((x) => x.stamped)),
      cpuMain: median(s.map((x) => x.cpuMain ?? NaN)),
      cpuAll: median(s.map((x) => x.cpuAll ?? NaN)),
      ort: median(s.map((x) => x.ms)),
      drawn: median(s.map((x) => x.drawn)),
      n: s.length,
    });
  }
  const h = all((r) => r.hover);
  rows.push({
    what: `hover redraw, ${HOVER_SIZE} tokens`,
    median: median(h.map((x) => x.total)),
    p90: p90(h.map((x) => x.total)),
    rounds: rounds.map((r) => median(r.hover.map((x) => x.total))),
    stamped: NaN,
    cpuMain: median(h.map((x) => x.cpuMain ?? NaN)),
    cpuAll: median(h.map((x) => x.cpuAll ?? NaN)),
    ort: NaN,
    drawn: NaN,
    n: h.length,
  });

  const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(
    `\n${new Date().toISOString().slice(0, 10)} · ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length} · ` +
      `load ${os.loadavg()[0].toFixed(1)} · ${version} headless · ${opts.model} · ` +
      `onnxruntime-web ${info.threads} thread(s) (crossOriginIsolated ${info.isolated}, ${info.cores} cores)\n`,
  );
  const cpu = opts.cpu ? ' CPU main / all threads (median) |' : '';
  console.log(
    `| measure | median ms | p90 ms | per-round medians | from event timeStamp (median) | ORT run (median) | drawn (median) |${cpu} n |`,
  );
  console.log(`|---|---|---|---|---|---|---|${opts.cpu ? '---|' : ''}---|`);
  for (const r of rows)
    console.log(
      `| ${r.what} | ${f1(r.median)} | ${f1(r.p90)} | ${r.rounds.map(f1).join(' / ')} | ${f1(r.stamped)} | ` +
        `${f1(r.ort)} | ${f1(r.drawn)} |${opts.cpu ? ` ${f1(r.cpuMain)} / ${f1(r.cpuAll)} |` : ''} ${r.n} |`,
    );
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ info, rows, rounds }, null, 2)}\n`);
} finally {
  await browser?.close();
  server.child.kill('SIGTERM');
}
