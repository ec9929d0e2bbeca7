import { describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { loadTokenizerJson, tokenizerFromJson } from '../../format/tokenizer/huggingface';
import { resolveTokenizer } from '../../format/tokenizer/resolve';
import { byteFallbackBpe, unigram, wordLevel, wordPiece } from './helpers/tokenizers';

/**
 * Each model type of the tokenizer.json format, read through @huggingface/tokenizers: the ids the format's
 * rules give (worked out by hand from the vocabularies in helpers/tokenizers.ts), the special tokens the
 * post-processor adds and --no-special-tokens drops, the pieces as labels, the ordinary ids --repeat-random
 * draws from, and the one-line refusals.
 */
const load = (json: unknown) => tokenizerFromJson(json, 'test tokenizer.json', 'flag');

describe('tokenizer.json model types', () => {
  it('WordPiece (BERT): lowercases, strips accents, splits ##pieces, adds [CLS] ... [SEP]', () => {
    const t = load(wordPiece);
    expect(t.name).toBe('WordPiece');
    expect(t.encode('Hello unaffable World!')).toEqual([2, 4, 6, 7, 8, 5, 9, 3]);
    expect(t.encode('Hello unaffable World!', false)).toEqual([4, 6, 7, 8, 5, 9]);
    expect(t.encode('Café')).toEqual([2, 10, 3]);
    expect(t.encode('xyz', false)).toEqual([1]); // unknown word -> [UNK]
    expect([6, 7, 8].map((id) => t.label(id))).toEqual(['un', '##aff', '##able']);
    expect(t.ordinaryIds()).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

  it('WordLevel: one id per pre-token, the model unk for an unknown word', () => {
    const t = load(wordLevel);
    expect(t.name).toBe('WordLevel');
    expect(t.encode('The cat sat.')).toEqual([1, 2, 3, 4]);
    expect(t.encode('the dog sat')).toEqual([1, 0, 3]);
  });

  it('Unigram (Metaspace): the most probable segmentation, </s> appended', () => {
    const t = load(unigram);
    expect(t.encode('hello world')).toEqual([5, 10, 11, 1]);
    expect(t.encode('hello world', false)).toEqual([5, 10, 11]);
    expect([5, 10].map((id) => t.label(id))).toEqual(['␣hello', '␣w']);
    expect(t.ordinaryIds()).not.toContain(0);
  });

  it('BPE with byte fallback (Llama): <s> in front, a character outside the vocabulary as its UTF-8 bytes', () => {
    const t = load(byteFallbackBpe());
    expect(t.name).toBe('BPE');
    // é = C3 A9 -> <0xC3> <0xA9> = 3 + 0xC3, 3 + 0xA9
    expect(t.encode('hello é')).toEqual([1, 268, 259, 3 + 0xc3, 3 + 0xa9]);
    expect(t.label(3 + 0x41)).toBe('A');
    expect(t.label(3 + 0x0a)).toBe('⏎');
    expect(t.label(3 + 0xc3)).toBe('\\xc3');
    const ordinary = t.ordinaryIds();
    expect(ordinary).toEqual(Array.from({ length: 10 }, (_, i) => 259 + i)); // no <0xNN>, no specials
  });

  it('CharDelimiterSplit, which the library lacks, splits as the format says', () => {
    const json = {
      ...wordLevel,
      normalizer: null,
      pre_tokenizer: { type: 'CharDelimiterSplit', delimiter: '|' },
    };
    expect(load(json).encode('the|cat|sat')).toEqual([1, 2, 3]);
  });
});

describe('tokenizer.json refusals: one line naming the file and the problem', () => {
  const refuse = (f: () => unknown, message: RegExp) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  };

  it('refuses a file that is not JSON, or JSON without a model', () => {
    refuse(
      () => loadTokenizerJson('vocab a b c', "tokenizer file 'v.txt'", 'flag'),
      /'v.txt' is not a tokenizer.json: it is not JSON/,
    );
    refuse(
      () => loadTokenizerJson('{"vocab": {}}', "tokenizer file 'x.json'", 'flag'),
      /not a tokenizer.json: it has no "model" object/,
    );
  });

  it('names a model type the library does not read', () => {
    refuse(
      () => load({ ...wordLevel, model: { type: 'Char', vocab: {} } }),
      /model type 'Char' is not supported by @huggingface\/tokenizers/,
    );
  });

  it('names a component the library does not read', () => {
    refuse(
      () => load({ ...wordLevel, normalizer: { type: 'Zap' } }),
      /cannot read it \(Unknown Normalizer type: Zap\)/,
    );
  });

  it('refuses text with a piece outside a vocabulary that has no unk token', () => {
    const t = load({ ...wordLevel, model: { ...wordLevel.model, unk_token: undefined } });
    refuse(() => t.encode('the dog'), /piece 'dog' is outside the tokenizer's vocabulary/);
  });

  it("refuses a tokenizer whose ids exceed the model's embedding rows, naming both", () => {
    const text = JSON.stringify(byteFallbackBpe());
    refuse(
      () => resolveTokenizer({ flag: { what: 'tok.json', text }, manifest: null, vocab: 100 }),
      /ids up to 268 \(vocabulary 269\) but the model's embedding has 100 rows/,
    );
  });
});

describe('which tokenizer a model gets', () => {
  const text = JSON.stringify(wordLevel);
  const other = JSON.stringify(unigram);
  it('--tokenizer first, then tokenizer.json beside the model, then bytes for a vocabulary of 256', () => {
    expect(
      resolveTokenizer({
        flag: { what: 'a', text },
        beside: { what: 'b', text: other },
        manifest: null,
        vocab: 13,
      })?.source,
    ).toBe('flag');
    expect(resolveTokenizer({ beside: { what: 'b', text: other }, manifest: null, vocab: 13 })?.name).toBe(
      'Unigram',
    );
    expect(resolveTokenizer({ manifest: null, vocab: 256 })?.name).toBe('bytes');
  });

  it('none for another vocabulary without a tokenizer: text is refused', () => {
    expect(resolveTokenizer({ manifest: null, vocab: 50257 })).toBeNull();
  });
});
