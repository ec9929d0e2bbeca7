import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { predictedClasses, seedView, seedWeights, stepAttention } from '../../../probes/output-steps';
import { initBackend } from '../../../training/backend';
import { disposeParams, paramsFromValues } from '../../../training/models/params';
import type { ArchSpec } from '../../../training/models/spec';
import { countingSpec } from '../../helpers/counting-spec';
import { exportBytes } from '../../helpers/export';

/**
 * Seed 004's printed views ("Output step i attended mainly to input steps: [..]" with the weights, and the
 * output steps' self attention) from `probe attention`, on a hand-set counting model whose attention has a
 * closed form: query s (s < 3) = e_s, the embedding of letter s = 10 e_s, blanks and the difference query 0,
 * so step s puts e^(10/sqrt(16)) on its letter's positions and 1 elsewhere; step 3 is uniform.
 */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-steps-'));
const D = 16;
const TEXT = 'A AABC CB '; // the seed's first printed example
const bytesOf = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const files: Record<'plain' | 'self', string> = { plain: '', self: '' };

function handSet(selfAttn: boolean): Record<string, Float32Array> {
  const W_E = new Float32Array(256 * D);
  const W_q = new Float32Array(4 * D);
  for (let s = 0; s < 3; s++) {
    W_E[(65 + s) * D + s] = 10;
    W_q[s * D + s] = 1;
  }
  const ones = new Float32Array(D).fill(1);
  const W_U = new Float32Array(D * 11);
  for (let s = 0; s < 3; s++) W_U[s * 11 + s + 1] = 1; // any head: only the view is checked here
  return {
    'embed.W_E': W_E,
    'embed.b_E': new Float32Array(D),
    'queries.W_q': W_q,
    'blocks.0.ln.w': ones,
    'blocks.0.ln.b': new Float32Array(D),
    ...(selfAttn ? { 'blocks.1.ln.w': ones, 'blocks.1.ln.b': new Float32Array(D) } : {}),
    'unembed.W_U': W_U,
    'unembed.b_U': new Float32Array(11),
  };
}

beforeAll(async () => {
  await initBackend();
  for (const selfAttn of [false, true]) {
    const spec: ArchSpec = countingSpec(selfAttn);
    const params = paramsFromValues(spec, handSet(selfAttn));
    const file = join(scratch, `${selfAttn ? 'self' : 'plain'}.onnx`);
    writeFileSync(file, await exportBytes(spec, params));
    disposeParams(params);
    files[selfAttn ? 'self' : 'plain'] = file;
  }
});

function smallscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/smallscope.js', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Closed form of step s's weights over TEXT: e^2.5 on the letter's positions, 1 elsewhere, normalised. */
function closedForm(letter: string | null): number[] {
  const e = letter ? Math.exp(10 / Math.sqrt(D)) : 1;
  const n = letter ? Array.from(TEXT).filter((c) => c === letter).length : 0;
  const z = n * e + (TEXT.length - n);
  return Array.from(TEXT, (c) => (c === letter ? e / z : 1 / z));
}

describe('seed 004 printed views', () => {
  it("weights print as the seed's Python prints them: 3 decimals, shortest form, always a decimal point", () => {
    expect(seedWeights([0.18612, 0.0849, 1, 0, 0.08, 0.2549999, 1e-9])).toBe(
      '[0.186, 0.085, 1.0, 0.0, 0.08, 0.255, 0.0]',
    );
  });

  it('each step attends mainly to every key at its largest weight, ties included', () => {
    const p = { dims: [1, 1, 2, 4], data: Float32Array.of(0.3, 0.1, 0.3, 0.3, 0.1, 0.6, 0.1, 0.2) };
    const steps = stepAttention(p, 0, 0);
    expect(steps.map((s) => s.mainly)).toEqual([[0, 2, 3], [1]]);
    expect(seedView('cross', steps)).toEqual([
      'Output step 0 attended mainly to input steps: [0 2 3]',
      '[0.3, 0.1, 0.3, 0.3]',
      'Output step 1 attended mainly to input steps: [1]',
      '[0.1, 0.6, 0.1, 0.2]',
    ]);
    expect(seedView('output-self', steps)[0]).toBe('Attention of output step 0:');
    expect(predictedClasses({ dims: [1, 2, 3], data: Float32Array.of(0, 2, 1, 5, -1, 4) })).toEqual([[1, 0]]);
  });

  it('`probe attention` prints the seed view of the cross attention, with the closed-form weights', () => {
    const r = smallscope('probe', 'attention', files.plain, '--text', TEXT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('  Output step 0 attended mainly to input steps: [0 2 3]');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at, at + 8)).toEqual([
      '  Output step 0 attended mainly to input steps: [0 2 3]',
      `  ${seedWeights(closedForm('A'))}`,
      '  Output step 1 attended mainly to input steps: [4 8]',
      `  ${seedWeights(closedForm('B'))}`,
      '  Output step 2 attended mainly to input steps: [5 7]',
      `  ${seedWeights(closedForm('C'))}`,
      '  Output step 3 attended mainly to input steps: [0 1 2 3 4 5 6 7 8 9]',
      `  ${seedWeights(closedForm(null))}`,
    ]);
    expect(lines[at + 1]).toBe('  [0.28, 0.023, 0.28, 0.28, 0.023, 0.023, 0.023, 0.023, 0.023, 0.023]');
    expect(r.stdout).toMatch(/^prediction \(argmax of logits per output step\): \d+ \d+ \d+ \d+$/m);
    expect(r.stdout).not.toContain('Attention of output step');
  });

  it('with self attention it also prints the output steps’ self-attention matrix, rows summing to 1', () => {
    const r = smallscope('probe', 'attention', files.self, '--text', TEXT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('blocks.1.attn.hook_pattern  [1,1,4,4]  (graph output)');
    expect(r.stdout).toContain('  self attention among the 4 output steps');
    const rows = [0, 1, 2, 3].map((s) => {
      const m = new RegExp(`  Attention of output step ${s}:\\n  \\[([^\\]]+)\\]`).exec(r.stdout);
      expect(m, `step ${s}`).not.toBeNull();
      return m![1].split(', ').map(Number);
    });
    for (const row of rows) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThanOrEqual(0.003);
  });

  it('`--json` carries the same view: attended_mainly [batch][head][step] and the prediction', () => {
    const r = smallscope('probe', 'attention', files.self, '--text', TEXT, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.attended_mainly['blocks.0.attn.hook_pattern']).toEqual([
      [
        [
          [0, 2, 3],
          [4, 8],
          [5, 7],
          [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        ],
      ],
    ]);
    const own: number[][] = doc.patterns['blocks.1.attn.hook_pattern'][0][0];
    expect(doc.attended_mainly['blocks.1.attn.hook_pattern'][0][0]).toEqual(
      own.map((row) => row.flatMap((w, k) => (w >= Math.max(...row) - 1e-6 ? [k] : []))),
    );
    expect(doc.taps.map((t: { kind?: string }) => t.kind)).toEqual(['cross', 'output-self']);
    expect(doc.prediction).toHaveLength(1);
    expect(doc.prediction[0]).toHaveLength(4);
    expect(doc.tokens).toEqual([bytesOf(TEXT)]);
  });
});
