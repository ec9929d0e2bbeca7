import type { Manifest } from '../manifest';
import { BYTE_VOCAB } from '../text';
import { loadTokenizerJson, tokenizerFromJson } from './huggingface';
import { byteTokenizer, checkTokenizerFits, type TextTokenizer } from './tokenizer';

/**
 * Which tokenizer a model gets, in this order: the one named on the command line (`--tokenizer FILE`, or a
 * tokenizer.json dropped with the model in the page); a `tokenizer.json` in the model's folder; the one a
 * smallscope checkpoint's manifest embeds (or `bytes`, which it states); bytes when the vocabulary is 256
 * (or the graph does not say). Otherwise none: text is refused (noTokenizer), token ids still work. The
 * caller reads the files (bin/model/tokenizer-files.ts, the page); this is the decision only.
 */
export interface TokenizerCandidates {
  /** --tokenizer FILE (or the dropped file): its path or name, and text. */
  flag?: { what: string; text: string } | null;
  /** tokenizer.json beside the model. */
  beside?: { what: string; text: string } | null;
  manifest: Manifest | null;
  /** The model's vocabulary (manifest or embedding rows), null when the graph does not say. */
  vocab: number | null;
}

export function resolveTokenizer(c: TokenizerCandidates): TextTokenizer | null {
  let tok: TextTokenizer | null = null;
  if (c.flag) tok = loadTokenizerJson(c.flag.text, `tokenizer file '${c.flag.what}'`, 'flag');
  else if (c.beside) tok = loadTokenizerJson(c.beside.text, `'${c.beside.what}'`, 'beside');
  else if (c.manifest) {
    const embedded = c.manifest.tokenizer;
    tok =
      embedded === 'bytes'
        ? byteTokenizer('manifest')
        : tokenizerFromJson(embedded.json, 'manifest', 'manifest');
  } else if (c.vocab === null || c.vocab === BYTE_VOCAB) tok = byteTokenizer();
  if (tok && tok.name !== 'bytes') checkTokenizerFits(tok, c.vocab);
  return tok;
}

/** How `inspect` and the page state it: `BPE (byte-level) from DIR/tokenizer.json beside the model, vocabulary 50257`. */
export function describeTokenizer(tok: TextTokenizer | null): string {
  if (!tok) return 'none (text refused: give --tokenizer FILE; token files still work)';
  if (tok.name === 'bytes') {
    const why = tok.source === 'manifest' ? "as the checkpoint's manifest states" : 'for a vocabulary of 256';
    return `bytes (one token per UTF-8 byte), ${why}`;
  }
  const from: Record<TextTokenizer['source'], string> = {
    flag: `from ${tok.origin} (--tokenizer)`,
    beside: `from ${tok.origin} beside the model`,
    manifest: "embedded in the checkpoint's manifest",
    bytes: '',
  };
  return `${tok.name} ${from[tok.source]}, vocabulary ${tok.vocabSize}`;
}
