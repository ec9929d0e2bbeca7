import { UsageError } from '../errors';
import { BYTE_VOCAB, encodeText, tokenLabel } from '../text';

/**
 * How text becomes token ids, whatever the model's vocabulary: the seeds' bytes (token = one UTF-8 byte), or
 * a Hugging Face `tokenizer.json` (huggingface.ts). Plain TypeScript with no runtime imports, so the command
 * line and the page tokenize alike; which tokenizer a model gets is decided in resolve.ts.
 */

/** Where the tokenizer came from, in the order resolve.ts tries them. */
export type TokenizerSource = 'flag' | 'beside' | 'manifest' | 'bytes';

export interface TextTokenizer {
  /** `bytes`, or the tokenizer.json model type (`BPE (byte-level)`, `WordPiece`, `Unigram`, `WordLevel`, `BPE`). */
  readonly name: string;
  readonly source: TokenizerSource;
  /** The file it was read from, `manifest` or `bytes`: for messages and `inspect`. */
  readonly origin: string;
  /** One past the largest id it can produce (added tokens included). */
  readonly vocabSize: number;
  /** The parsed tokenizer.json (null for bytes): what a checkpoint embeds. */
  readonly json: Record<string, unknown> | null;
  /** Token ids of a text; specialTokens (default true) adds what the post-processor adds (BOS, CLS, ...). */
  encode(text: string, specialTokens?: boolean): number[];
  /** The piece of one id as text for axes and hover (byte-level `Ġ` as a visible space `␣`). */
  label(id: number): string;
  /** Ids a random ordinary token is drawn from: no special tokens, no byte-fallback pieces. */
  ordinaryIds(): number[];
}

/** The seeds' tokenizer: one token per UTF-8 byte. */
export function byteTokenizer(source: TokenizerSource = 'bytes'): TextTokenizer {
  return {
    name: 'bytes',
    source,
    origin: source === 'manifest' ? 'manifest' : 'bytes',
    vocabSize: BYTE_VOCAB,
    json: null,
    encode: (text: string) => encodeText(text),
    label: tokenLabel,
    ordinaryIds: () => Array.from({ length: BYTE_VOCAB }, (_, i) => i),
  };
}

/**
 * Refuse a tokenizer whose ids the model's embedding has no rows for (a mismatched tokenizer.json): both
 * numbers named. `vocab` null (the graph does not say) accepts any.
 */
export function checkTokenizerFits(tok: TextTokenizer, vocab: number | null): void {
  if (vocab === null || tok.vocabSize <= vocab) return;
  throw new UsageError(
    `the tokenizer (${tok.name}, ${tok.origin}) has ids up to ${tok.vocabSize - 1} (vocabulary ${tok.vocabSize}) ` +
      `but the model's embedding has ${vocab} rows: give the tokenizer.json the model was trained with (--tokenizer FILE)`,
  );
}

/** The one line for text given to a model without a tokenizer. */
export function noTokenizer(vocab: number | null): UsageError {
  return new UsageError(
    `this model's vocabulary is ${vocab ?? 'unknown'}, not 256 bytes, and it comes with no tokenizer: ` +
      'give --tokenizer FILE (a Hugging Face tokenizer.json), put tokenizer.json beside the model, or pass token ids with --tokens-file',
  );
}
