import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const ckpt = (name: string) => `${ROOT}static/checkpoints/${name}.onnx`;
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [`${ROOT}bin/smallscope.js`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`smallscope ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const LETTERS = [
  '--repeat-random',
  '20',
  '--batch',
  '16',
  '--alphabet',
  'abcdefghijklmnopqrstuvwxyz',
  '--json',
];

describe('the demo checkpoints the app opens on', () => {
  it('are small single files (under 2 MB) with a manifest', () => {
    for (const name of ['conv-attn', 'attn-attn']) {
      expect(statSync(ckpt(name)).size).toBeLessThan(2 * 1024 * 1024);
      const info = cli('inspect', ckpt(name), '--json');
      expect(info.manifest.arch.kind).toBe(name);
      expect(info.manifest.step).toBe(3000);
    }
  });

  it('probe attention on the Conv-Attn demo gives rows that sum to 1 and an upper triangle of exact zeros', () => {
    const doc = cli(
      'probe',
      'attention',
      ckpt('conv-attn'),
      '--text',
      'The cat sat on the mat. The cat sat on the mat.',
      '--json',
    );
    const A: number[][] = doc.patterns['blocks.0.attn.hook_pattern'][0][0];
    expect(A.length).toBe(47);
    A.forEach((row, q) => {
      expect(Math.abs(row.reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
      for (let k = q + 1; k < row.length; k++) expect(row[k]).toBe(0);
    });
  });

  it('the Conv-Attn demo has an induction head (score >= 0.5 on 16 blocks of 20 random letters typed twice)', () => {
    const heads = cli('probe', 'heads', ckpt('conv-attn'), ...LETTERS).heads;
    expect(Math.max(...heads.map((h: { induction: number }) => h.induction))).toBeGreaterThanOrEqual(0.5);
  });

  it("the Attn-Attn demo's best induction score is far below the Conv-Attn's (seed 002's headline)", () => {
    const best = (name: string) =>
      Math.max(
        ...cli('probe', 'heads', ckpt(name), ...LETTERS).heads.map((h: { induction: number }) => h.induction),
      );
    expect(best('attn-attn')).toBeLessThan(best('conv-attn') / 4);
  });
});
