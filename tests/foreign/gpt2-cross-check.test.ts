import { readFileSync } from 'node:fs';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2 from 'js-tiktoken/ranks/gpt2';
import { describe, expect, it } from 'vitest';
import { TEXT_LINES } from '../fixtures/paths';
import { tokenizerFromJson } from '../../format/tokenizer/huggingface';
import { gpt2TokenizerJson } from '../../training/tasks/gpt2-merges';

/**
 * smallscope's tokenizer.json reading (@huggingface/tokenizers) against an independent BPE implementation
 * (js-tiktoken) on GPT-2's own 50,257-token vocabulary, over a few hundred lines of prose, code, numbers,
 * several scripts and emoji: the ids must be equal, line by line.
 */
describe('GPT-2 byte-level BPE: tokenizer.json reading vs js-tiktoken', () => {
  const json = gpt2TokenizerJson();
  const ours = tokenizerFromJson(json, 'gpt2 tokenizer.json', 'flag');
  const reference = new Tiktoken(gpt2);
  const lines = readFileSync(TEXT_LINES, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);

  it('rebuilds the vocabulary: 50,257 ids, 50,000 merges', () => {
    expect(ours.vocabSize).toBe(50257);
    expect((json.model as { merges: string[] }).merges.length).toBe(50000);
    expect(ours.name).toBe('BPE (byte-level)');
  });

  it(`gives js-tiktoken's ids on each of the ${lines.length} lines`, () => {
    expect(lines.length).toBeGreaterThanOrEqual(250);
    const mismatched = lines.filter((l) => {
      const a = ours.encode(l);
      const b = reference.encode(l, 'all');
      return a.length !== b.length || a.some((id, i) => id !== b[i]);
    });
    expect(mismatched).toEqual([]);
  });

  it('gives the same ids on the whole text at once (newlines and blank lines included)', () => {
    const text = readFileSync(TEXT_LINES, 'utf8');
    expect(ours.encode(text)).toEqual(reference.encode(text, 'all'));
  });

  it('labels pieces as text: Ġ as a visible space, Ċ as a newline, the special token by name', () => {
    const ids = ours.encode('Hello world\n<|endoftext|>');
    expect(ids).toEqual([15496, 995, 198, 50256]);
    expect(ids.map((id) => ours.label(id))).toEqual(['Hello', '␣world', '⏎', '<|endoftext|>']);
  });

  it('draws --repeat-random tokens from the 50,256 ordinary ids (no <|endoftext|>)', () => {
    const ordinary = ours.ordinaryIds();
    expect(ordinary.length).toBe(50256);
    expect(ordinary.includes(50256)).toBe(false);
  });
});

describe('GPT-2 cut to its first N merges (scripts/tokenizer/write-gpt2.ts --merges) vs js-tiktoken on the same ranks', () => {
  const N = 4096;
  const ours = tokenizerFromJson(gpt2TokenizerJson({ merges: N }), 'gpt2-4096 tokenizer.json', 'flag');
  // The reference: js-tiktoken over GPT-2's ranks below 256 + N only (its rank-ordered BPE on a prefix of the
  // ranks is the BPE of the first N merges), no special tokens.
  const keep = 256 + N;
  const ranks = gpt2.bpe_ranks
    .split('\n')
    .map((line) => {
      const [head, offset, ...tokens] = line.split(' ');
      const kept = tokens.slice(0, Math.max(0, keep - Number(offset)));
      return kept.length ? [head, offset, ...kept].join(' ') : '';
    })
    .filter(Boolean)
    .join('\n');
  const reference = new Tiktoken({ ...gpt2, bpe_ranks: ranks, special_tokens: {} });
  const text = readFileSync(TEXT_LINES, 'utf8');

  it(`has 256 + ${N} ids and no special token`, () => {
    expect(ours.vocabSize).toBe(keep);
    expect(ours.ordinaryIds().length).toBe(keep);
  });

  it("gives js-tiktoken's ids on the whole text, all below 256 + N, and GPT-2's own id for a common word", () => {
    const ids = ours.encode(text);
    expect(ids).toEqual(reference.encode(text));
    expect(Math.max(...ids)).toBeLessThan(keep);
    expect(ours.encode(' the')).toEqual([262]); // GPT-2's id for ' the'
    // a word GPT-2 has as one token above the cut falls into pieces
    expect(new Tiktoken(gpt2).encode(' probability')).toEqual([12867]);
    expect(ours.encode(' probability').length).toBeGreaterThan(1);
  });
});
