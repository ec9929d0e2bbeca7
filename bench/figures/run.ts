/**
 * Figure export timings through one warm process (not a test): SVG and PNG of a 256-token attention heatmap,
 * then a full `figures` report. Targets: < 200 ms per figure, report < 10 s.
 *   node --import tsx bench/figures/run.ts [MODEL.onnx]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderSvg, svgToPng } from '../../figures/render';
import { writeReport } from '../../bin/figures/report';
import { checkWritableDir } from '../../bin/figures/output';

const model =
  process.argv[2] ??
  fileURLToPath(new URL('../../tests/fixtures/pytorch/conv_attn/conv_attn.onnx', import.meta.url));
const T = 256;
let seed = 1;
const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const pattern = Array.from({ length: T }, (_, i) => {
  const row = Array.from({ length: T }, (_, j) => (j <= i ? rand() : 0));
  const s = row.reduce((a, b) => a + b, 0);
  return row.map((v) => v / s);
});
const props = {
  meta: { id: 'bench', title: 'Attention, 256 tokens', caption: 'synthetic causal pattern', width: 'double' },
  tokens: Array.from({ length: T }, (_, i) => String.fromCharCode(97 + (i % 26))),
  pattern,
};
const time = async <X>(label: string, f: () => Promise<X>): Promise<X> => {
  const t = performance.now();
  const x = await f();
  console.log(`${label.padEnd(34)} ${(performance.now() - t).toFixed(0).padStart(6)} ms`);
  return x;
};
await time('first SVG (compiles components)', () => renderSvg('attention', props));
for (let i = 0; i < 3; i++) {
  const svg = await time(`warm SVG 256x256 #${i + 1}`, () => renderSvg('attention', props));
  await time(`warm PNG 256x256 (scale 2) #${i + 1}`, () => svgToPng(svg, { scale: 2 }));
}
const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'smallscope-bench-')), 'report');
const n = await time('figures report (SVG + PNG)', () =>
  writeReport({ model, compare: model, tokens: null, out, png: 2, checkDir: checkWritableDir }),
);
console.log(`report: ${n} files in ${out}`);
