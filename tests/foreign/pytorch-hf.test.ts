import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTORCH_HF } from '../fixtures/paths';
import { smallscope } from '../helpers/cli';

/**
 * `smallscope inspect` and `probe attention|heads|field` on the Hugging Face-style PyTorch exports of
 * tests/fixtures/pytorch-hf, as a user runs them: inputs fed by rule, the tokenizer found beside the model,
 * patterns within 1e-4 and head scores within 1e-5 of PyTorch, token ids equal to the tokenizer's.
 */
interface Reference {
  text: { tokens: number[]; patterns: number[][][][]; previous_token: number[][]; text?: string };
  repeat: { tokens: number[][]; n: number; induction: number[][]; previous_token: number[][] };
}
const ref = (name: string): Reference =>
  JSON.parse(readFileSync(`${PYTORCH_HF}${name}/reference.json`, 'utf8'));
const TEXT = 'The cat sat on the mat. The dog ran to the tree; the cat sat on the mat again.';
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-hf-'));

function json(...args: string[]) {
  const r = smallscope(...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function worstPatternError(patterns: Record<string, number[][][][]>, expected: number[][][][]): number {
  let worst = 0;
  expected.forEach((layer, l) => {
    const got = patterns[`blocks.${l}.attn.hook_pattern`][0];
    expect(got.length).toBe(layer.length);
    layer.forEach((head, h) =>
      head.forEach((row, q) => row.forEach((v, k) => (worst = Math.max(worst, Math.abs(got[h][q][k] - v))))),
    );
  });
  return worst;
}

const FIXTURES = [
  { name: 'gpt2_mask', fed: ['input_ids', 'attention_mask'], tokenizer: 'bytes' },
  { name: 'mha', fed: ['tokens'], tokenizer: 'bytes' },
  {
    name: 'bpe',
    fed: ['input_ids', 'attention_mask', 'position_ids', 'token_type_ids'],
    tokenizer: 'BPE (byte-level)',
  },
];

for (const f of FIXTURES) {
  describe(`PyTorch export ${f.name}`, () => {
    const model = `${PYTORCH_HF}${f.name}/model.onnx`;
    const r = ref(f.name);

    it('inspect reports the inputs fed by rule, the tokenizer and 2 layers x 4 heads', () => {
      const report = json('inspect', model);
      expect(report.feeds.inputs.map((i: { name: string }) => i.name)).toEqual(f.fed);
      expect(report.tokenizer.name).toBe(f.tokenizer);
      expect(report.attention.checked).toBe(true);
      expect(report.attention.found.map((a: { heads: number }) => a.heads)).toEqual([4, 4]);
    });

    it("probe attention --text: the tokenizer's ids, every head within 1e-4 of PyTorch", () => {
      const out = json('probe', 'attention', model, '--text', TEXT);
      expect(out.tokens).toEqual([r.text.tokens]);
      expect(worstPatternError(out.patterns, r.text.patterns)).toBeLessThan(1e-4);
    });

    it('probe heads: induction and previous-token scores within 1e-5 of PyTorch', () => {
      const file = join(scratch, `${f.name}-repeat.json`);
      writeFileSync(file, JSON.stringify(r.repeat.tokens));
      const out = json('probe', 'heads', model, '--tokens-file', file);
      expect(out.period.n).toBe(r.repeat.n);
      for (const h of out.heads) {
        expect(Math.abs(h.induction - r.repeat.induction[h.layer][h.head])).toBeLessThan(1e-5);
        expect(Math.abs(h.previous_token - r.repeat.previous_token[h.layer][h.head])).toBeLessThan(1e-5);
      }
      expect(out.heads).toHaveLength(8);
    });

    it('probe field --text runs through the other inputs too (a gradient per token)', () => {
      const out = json('probe', 'field', model, '--text', 'the cat sat on the mat', '--position', '3');
      // bpe: <|endoftext|> t h e ␣cat ␣sat ␣on ␣the ␣mat (no merge learned for a sentence-initial 'the')
      expect(out.gradient.length).toBe(f.name === 'bpe' ? 9 : 22);
      expect(out.gradient.slice(4).every((g: number) => g === 0)).toBe(true); // causal: nothing from the future
      expect(out.gradient[3]).toBeGreaterThan(0);
    });
  });
}

describe('the byte-level BPE model and its tokenizer', () => {
  const model = `${PYTORCH_HF}bpe/model.onnx`;
  const tokenizer = `${PYTORCH_HF}bpe/tokenizer.json`;
  const r = ref('bpe') as Reference & {
    text: { tokens_without_special: number[]; pieces: Record<string, string> };
  };

  it('shows the pieces as text, Ġ as a visible space, and the BOS the post-processor adds', () => {
    const out = json('probe', 'attention', model, '--text', TEXT);
    expect(out.pieces[0].slice(0, 6)).toEqual(['<|endoftext|>', 'T', 'h', 'e', '␣cat', '␣sat']);
    out.tokens[0].forEach((id: number, i: number) =>
      expect(out.pieces[0][i]).toBe(r.text.pieces[String(id)].replaceAll('Ġ', '␣')),
    );
  });

  it('--no-special-tokens drops the BOS', () => {
    const out = json('probe', 'attention', model, '--text', TEXT, '--no-special-tokens');
    expect(out.tokens).toEqual([r.text.tokens_without_special]);
  });

  it('--tokenizer names the file when the model is alone in its folder; without it, text is refused', () => {
    const alone = join(scratch, 'bpe-alone.onnx');
    writeFileSync(alone, readFileSync(model));
    const refused = smallscope('probe', 'attention', alone, '--text', TEXT);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/vocabulary is 457, not 256 bytes.*--tokenizer FILE/);
    const out = json('probe', 'attention', alone, '--text', TEXT, '--tokenizer', tokenizer);
    expect(out.tokens).toEqual([r.text.tokens]);
    expect(json('inspect', alone, '--tokenizer', tokenizer).tokenizer).toMatchObject({
      source: 'flag',
      vocab: 457,
    });
  });

  it('--repeat-random draws ordinary tokens of the vocabulary: never <|endoftext|> (456)', () => {
    const out = json('probe', 'heads', model, '--repeat-random', '50', '--batch', '4');
    const ids = out.tokens.flat();
    expect(ids.length).toBe(400);
    expect(ids.every((id: number) => id >= 0 && id < 456)).toBe(true);
  });
});

describe('a past key/value input of dynamic length', () => {
  it('is fed empty, and the attention over T keys matches numpy within 1e-6', () => {
    const past = JSON.parse(readFileSync(`${PYTORCH_HF}extra/reference_past.json`, 'utf8'));
    const file = join(scratch, 'past-tokens.json');
    writeFileSync(file, JSON.stringify([past.tokens]));
    const report = json('inspect', `${PYTORCH_HF}extra/past.onnx`);
    expect(report.feeds.inputs).toEqual([
      { name: 'input_ids', rule: 'tokens' },
      { name: 'past_key_values.0.key', rule: 'empty-past' },
    ]);
    const out = json('probe', 'attention', `${PYTORCH_HF}extra/past.onnx`, '--tokens-file', file);
    expect(worstPatternError(out.patterns, [past.pattern])).toBeLessThan(1e-6);
  });
});
