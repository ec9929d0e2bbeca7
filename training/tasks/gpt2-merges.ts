import gpt2 from 'js-tiktoken/ranks/gpt2';
import { bytesToUnicode } from '../../format/tokenizer/pieces';

/**
 * GPT-2's tokenizer.json rebuilt from js-tiktoken's copy of GPT-2's ranks (MIT): vocab = the byte strings by
 * rank, spelled with bytes_to_unicode; merges recovered from the ranks (a token of rank r is the one merge
 * left when its bytes are merged with ranks below r: the standard tiktoken -> Hugging Face conversion). Two
 * independent implementations then read the same vocabulary: js-tiktoken's own BPE and @huggingface/tokenizers
 * (tests/foreign/gpt2-cross-check.test.ts).
 *
 * `merges: N` keeps GPT-2's first N merges only: a byte-level BPE of 256 + N ids (GPT-2's ids below 256 + N,
 * the same pieces GPT-2 would build first), without <|endoftext|>: a vocabulary a small model can embed that
 * still splits English into GPT-2's common words (N = 4096: 4,352 ids, the demo pair's; `train --tokenizer
 * gpt2-4096`, train-tokenizer.ts).
 */
export function gpt2TokenizerJson(opts: { merges?: number } = {}): Record<string, unknown> {
  const b2u = bytesToUnicode();
  const ranks = new Map<string, number>();
  const byRank: number[][] = [];
  for (const line of gpt2.bpe_ranks.split('\n')) {
    if (!line) continue;
    const [, offset, ...tokens] = line.split(' ');
    tokens.forEach((t, i) => {
      const bytes = [...Buffer.from(t, 'base64')];
      ranks.set(bytes.join(','), Number(offset) + i);
      byRank[Number(offset) + i] = bytes;
    });
  }
  const spell = (bytes: number[]) => bytes.map((b) => b2u[b]).join('');
  const vocab: Record<string, number> = {};
  byRank.forEach((bytes, rank) => (vocab[spell(bytes)] = rank));
  const merges: string[] = [];
  for (let rank = 0; rank < byRank.length; rank++) {
    const bytes = byRank[rank];
    if (bytes.length < 2) continue;
    let parts = bytes.map((b) => [b]);
    for (;;) {
      let best = -1;
      let bestRank = rank;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = ranks.get([...parts[i], ...parts[i + 1]].join(','));
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      parts = [...parts.slice(0, best), [...parts[best], ...parts[best + 1]], ...parts.slice(best + 2)];
    }
    if (parts.length !== 2) throw new Error(`rank ${rank} does not split into one merge`);
    merges.push(`${spell(parts[0])} ${spell(parts[1])}`);
  }
  if (opts.merges !== undefined) {
    if (!Number.isInteger(opts.merges) || opts.merges < 0 || opts.merges > merges.length)
      throw new Error(`merges must be an integer in [0, ${merges.length}], got ${opts.merges}`);
    const keep = 256 + opts.merges;
    const kept = Object.fromEntries(Object.entries(vocab).filter(([, id]) => id < keep));
    return tokenizerJson(kept, merges.slice(0, opts.merges), null);
  }
  return tokenizerJson(vocab, merges, gpt2.special_tokens['<|endoftext|>']);
}

/** A GPT-2-style byte-level BPE tokenizer.json over `vocab` and `merges`, with <|endoftext|> at `eos` if given. */
function tokenizerJson(vocab: Record<string, number>, merges: string[], eos: number | null) {
  if (eos !== null) vocab = { ...vocab, '<|endoftext|>': eos };
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  return {
    version: '1.0',
    added_tokens:
      eos === null
        ? []
        : [
            {
              id: eos,
              content: '<|endoftext|>',
              single_word: false,
              lstrip: false,
              rstrip: false,
              normalized: true,
              special: true,
            },
          ],
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}
