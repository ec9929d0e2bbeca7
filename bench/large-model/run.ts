/**
 * bench/large-model: the page on a model of the size researchers bring (issue 16, item 4), a benchmark, not a
 * test. A GPT-2-style model, 8 layers x 16 heads = 128 heads, d_model 512, vocabulary 50,257, random weights,
 * exported by torch.onnx with input_ids + attention_mask, beside GPT-2's byte-level BPE tokenizer.json
 * (make.py and tokenizer.ts write them into OUT_DIR when it has none, ~1 min), served by `smallscope serve`
 * and opened in /inspect in Debian's chromium. Measured in one run:
 *  - first view: from navigation start to the end of the frame after the page drew its first run (the model
 *    fetched, the ORT session created, the text run, every head's map and the selected one drawn);
 *  - keystroke: keydown to the end of the frame after the heatmaps of that text are drawn, at 256 and 512
 *    tokens (the text's tokens through the tokenizer), alternating a typed letter and Backspace;
 *  - ORT: onnxruntime-web's own run of the same graph in the same page (the page's `ms`: session.run of the
 *    graph pruned to the attention outputs, plus copying the outputs out), per keystroke; ratio = keystroke / ORT;
 *  - JS heap: V8's used heap (CDP Runtime.getHeapUsage) after the runs at each size, and after a forced GC;
 *    and the resident memory of the page's renderer process (heap, the ArrayBuffers holding the patterns and
 *    ORT's wasm memory together).
 *
 *   npx tsx bench/large-model/run.ts [--out DIR (default /tmp/smallscope-large-model)] [--keys 6] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadTokenizerJson } from '../../format/tokenizer/huggingface';
import { serve } from '../app-latency/server.js';
import { median } from '../app-latency/samples.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    out: { type: 'string', default: '/tmp/smallscope-large-model' },
    keys: { type: 'string', default: '6' },
    sizes: { type: 'string', default: '256,512' },
    json: { type: 'string' },
  },
});
const OUT = opts.out!;
const KEYS = Number(opts.keys);
const SIZES = opts.sizes!.split(',').map(Number);
const WARMUP = 2;

if (!existsSync(join(OUT, 'large.onnx'))) {
  console.error(`generating the model into ${OUT} (PyTorch) ...`);
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'bench/large-model/make.py'), OUT], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!existsSync(join(OUT, 'tokenizer.json'))) {
  const r = spawnSync('npx', ['tsx', join(ROOT, 'bench/large-model/tokenizer.ts'), OUT], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!existsSync(join(ROOT, 'build', 'handler.js'))) {
  console.error('building the app (npm run build) ...');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const tokenizer = loadTokenizerJson(
  readFileSync(join(OUT, 'tokenizer.json'), 'utf8'),
  'tokenizer.json',
  'beside',
);
/** A text of exactly n tokens (words of one GPT-2 token each, no exact repeat of the whole). */
function textOf(n: number, seed = 7): string {
  const words = [
    ' the',
    ' quiet',
    ' river',
    ' bends',
    ' around',
    ' old',
    ' mill',
    ' and',
    ' a',
    ' heron',
    ' waits',
    ' near',
    ' stone',
  ];
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let t = 'The';
  while (tokenizer.encode(t, false).length < n) t += words[Math.floor(rand() * words.length)];
  if (tokenizer.encode(t, false).length !== n) throw new Error(`no text of ${n} tokens`);
  return t;
}

/**
 * Hooks in the page, as source text: tsx compiles this file with names kept, and a compiled function handed to
 * the page would call its `__name` helper, which the page does not have.
 */
const HOOKS = `(() => {
  const b = (window.__bench = { at: 0, want: null, first: null });
  const endOfFrame = (done) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => done(performance.now());
      ch.port2.postMessage(0);
    });
  document.addEventListener('keydown', () => (b.at = performance.now()), true);
  window.addEventListener('smallscope:drawn', (e) => {
    if (!b.first) {
      b.first = { ms: e.detail.ms };
      endOfFrame((end) => (b.first.end = end));
    }
    const want = b.want;
    if (!want || e.detail.text !== want.text) return;
    b.want = null;
    const at = b.at;
    endOfFrame((end) => want.resolve({ total: end - at, ms: e.detail.ms }));
  });
})();`;

async function heap(page: Page, gc: boolean): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  if (gc) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize / 2 ** 20;
}

/**
 * The resident memory of this browser's largest renderer process, MiB (its processes from CDP
 * SystemInfo.getProcessInfo, their VmRSS from Linux /proc): the page's JS heap, the ArrayBuffers that hold the
 * patterns and ORT's wasm memory together. Other browsers on the machine are not counted.
 */
async function rendererRss(browser: Browser): Promise<number | null> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number }[];
  };
  await cdp.detach();
  let best: number | null = null;
  for (const p of processInfo.filter((p) => p.type === 'renderer')) {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.id}/status`, 'utf8'))?.[1]);
      if (Number.isFinite(kb)) best = Math.max(best ?? 0, kb / 1024);
    } catch {
      // the process ended meanwhile
    }
  }
  return best;
}

async function waitForText(page: Page, text: string) {
  await page.waitForFunction(
    (t) => (window as never as { __smallscope?: { text: string } }).__smallscope?.text === t,
    text,
    {
      timeout: 600_000,
      polling: 100,
    },
  );
}

const { child, url } = serve(
  [join(ROOT, 'bin/smallscope.js'), 'serve', '--checkpoints', OUT, '--port', '0'],
  {
    cwd: ROOT,
    label: 'smallscope serve',
  },
);
const baseUrl = await url;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const result: Record<string, unknown> = {
  model: 'large.onnx: 8 layers x 16 heads, d_model 512, vocabulary 50257',
};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(HOOKS);
  const first = textOf(SIZES[0] - 1);
  await page.goto(`${baseUrl}/inspect?${new URLSearchParams({ ckpt: 'large.onnx', text: first })}`);
  await page.waitForFunction(
    () => (window as never as { __bench: { first?: { end?: number } } }).__bench.first?.end !== undefined,
    null,
    {
      timeout: 600_000,
      polling: 100,
    },
  );
  const firstView = await page.evaluate(
    () => (window as never as { __bench: { first: { end: number; ms: number } } }).__bench.first,
  );
  result.first_view_ms = firstView.end;
  result.first_run_ort_ms = firstView.ms;
  result.threads = Number(await page.locator('.status').getAttribute('data-threads'));
  result.sizes = [];
  for (const n of SIZES) {
    const base = textOf(n - 1);
    await page.locator('textarea').fill(base);
    await waitForText(page, base);
    await page.locator('textarea').evaluate((el: HTMLTextAreaElement) => {
      el.focus();
      el.selectionStart = el.selectionEnd = el.value.length;
    });
    const samples: { total: number; ms: number }[] = [];
    for (let i = 0; i < WARMUP + KEYS; i++) {
      const typing = i % 2 === 0;
      const want = typing ? `${base}x` : base;
      await page.waitForTimeout(100);
      // Arm the page's hook, then wait on it (sent before the key, so no driver call lands in the window).
      await page.evaluate((text) => {
        const b = (window as never as { __bench: { want: unknown; done: Promise<unknown> } }).__bench;
        b.done = new Promise((resolve) => (b.want = { text, resolve }));
      }, want);
      const done = page.evaluate(
        () => (window as never as { __bench: { done: Promise<unknown> } }).__bench.done,
      );
      await page.evaluate(() => 0);
      await page.keyboard.press(typing ? 'x' : 'Backspace');
      const r = (await done) as { total: number; ms: number };
      await waitForText(page, want);
      if (i >= WARMUP) samples.push(r);
    }
    const tokens = await page.evaluate(
      () => (window as never as { __smallscope: { tokens: number[] } }).__smallscope.tokens.length,
    );
    const key = median(samples.map((s) => s.total));
    const ort = median(samples.map((s) => s.ms));
    (result.sizes as unknown[]).push({
      tokens: n,
      tokens_checked: tokens,
      keystroke_ms: key,
      ort_ms: ort,
      ratio: key / ort,
      heap_mib: await heap(page, false),
      heap_after_gc_mib: await heap(page, true),
      renderer_rss_mib: await rendererRss(browser),
      samples,
    });
  }
} finally {
  await browser.close();
  child.kill('SIGTERM');
}
console.log(JSON.stringify(result, null, 1));
if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 1));
