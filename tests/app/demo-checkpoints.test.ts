import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DURSLEY_PARAGRAPH } from '../../probes/inputs/dursley';
import { demoGenerated } from '../fixtures/paths';

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
type Heads = {
  heads: { induction: number }[];
  repeat: { heads: { same_token: number; next_token: number }[] };
};

/**
 * The app's demo pair (static/checkpoints/conv-attn.onnx, attn-attn.onnx): seed 002's two architectures at
 * the seed's size (d_model 384, one head, no residual, no positions) trained on the Brown corpus over GPT-2's
 * first 4,096 merges (README, docs/reproduction.md). The seed's finding on its paragraph: Conv-Attn's attention
 * concentrates on the repeated sentence more than Attn-Attn's.
 */
describe('the demo checkpoints the app opens on (Brown, subword tokens)', () => {
  it('are single files with a manifest and the tokenizer they were trained over embedded', () => {
    for (const name of ['conv-attn', 'attn-attn']) {
      expect(statSync(ckpt(name)).size).toBeLessThan(20 * 1024 * 1024);
      const info = cli('inspect', ckpt(name), '--json');
      expect(info.manifest.arch).toMatchObject({ kind: name, d_model: 384, vocab: 4352, n_heads: 1 });
      expect(info.manifest.step).toBe(4000);
      expect(info.tokenizer).toMatchObject({ source: 'manifest', vocab: 4352 });
    }
  });

  it("the seed's paragraph is 111 tokens, and Conv-Attn's head looks at the first copy of the repeated sentence more than either Attn-Attn head", () => {
    const on = (name: string) =>
      cli('probe', 'heads', ckpt(name), '--text', DURSLEY_PARAGRAPH, '--json') as Heads;
    const [conv, attn] = [on('conv-attn'), on('attn-attn')];
    expect(
      cli('probe', 'attention', ckpt('conv-attn'), '--text', DURSLEY_PARAGRAPH, '--json').tokens[0],
    ).toHaveLength(111);
    const same = (d: Heads) => Math.max(...d.repeat.heads.map((h) => h.same_token));
    expect(same(conv)).toBeGreaterThan(0.35);
    expect(same(conv)).toBeGreaterThan(same(attn) + 0.08);
    // Neither is an induction head: the weight on the token after the earlier copy stays near zero.
    for (const d of [conv, attn]) for (const h of d.repeat.heads) expect(h.next_token).toBeLessThan(0.01);
  });
});

/**
 * The generated-corpus pair, also served by the app (static/checkpoints/*-generated.onnx; the same bytes are
 * the tests' fixture): a text with recurring passages makes copying pay, and Conv-Attn forms an induction head.
 */
describe('the generated-corpus pair (bytes, d_model 64)', () => {
  it('the app serves the fixture bytes', () => {
    for (const name of ['conv-attn', 'attn-attn'] as const)
      expect(readFileSync(ckpt(`${name}-generated`)).equals(readFileSync(demoGenerated(name)))).toBe(true);
  });

  it('probe attention on Conv-Attn gives rows that sum to 1 and an upper triangle of exact zeros', () => {
    const doc = cli(
      'probe',
      'attention',
      demoGenerated('conv-attn'),
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

  it('Conv-Attn has an induction head (score >= 0.5 on 16 blocks of 20 random letters typed twice)', () => {
    const heads = cli('probe', 'heads', demoGenerated('conv-attn'), ...LETTERS).heads;
    expect(Math.max(...heads.map((h: { induction: number }) => h.induction))).toBeGreaterThanOrEqual(0.5);
  });

  it("Attn-Attn's best induction score is far below Conv-Attn's (seed 002's headline)", () => {
    const best = (name: 'conv-attn' | 'attn-attn') =>
      Math.max(
        ...cli('probe', 'heads', demoGenerated(name), ...LETTERS).heads.map(
          (h: { induction: number }) => h.induction,
        ),
      );
    expect(best('attn-attn')).toBeLessThan(best('conv-attn') / 4);
  });
});
