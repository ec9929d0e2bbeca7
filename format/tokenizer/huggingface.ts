import { Tokenizer } from '@huggingface/tokenizers';
import { UsageError } from '../errors';
import { pieceLabel } from './pieces';
import type { TextTokenizer, TokenizerSource } from './tokenizer';

/**
 * A Hugging Face `tokenizer.json` through @huggingface/tokenizers (pure JS, the tokenizers of
 * Transformers.js): BPE (byte-level and byte-fallback), WordPiece, Unigram and WordLevel, with the normalizers,
 * pre-tokenizers, post-processors and decoders it implements. Where it differs from the format:
 *  - WordLevel has no model class of its own: the library's fallback (a vocab lookup per pre-token) is the
 *    WordLevel algorithm, but it takes the unk token from its second argument, so it is passed from the model.
 *  - `CharDelimiterSplit` (a pre-tokenizer it lacks) is the same as `Split` on that character, removed; and a
 *    `Split` with a String pattern and behavior `Removed` kept its delimiters (the library wraps the pattern in a
 *    capture group), so both are given as an escaped Regex pattern.
 * Anything else it lacks is refused by name (docs/models-you-bring.md lists what was checked).
 */
export const SUPPORTED_MODELS = ['BPE', 'WordPiece', 'Unigram', 'WordLevel'] as const;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse and load a tokenizer.json's text; `what` names the file in every error. */
export function loadTokenizerJson(text: string, what: string, source: TokenizerSource): TextTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${what} is not a tokenizer.json: it is not JSON`);
  }
  return tokenizerFromJson(json, what, source);
}

/** Load a parsed tokenizer.json (also the copy a checkpoint's manifest embeds). */
export function tokenizerFromJson(json: unknown, what: string, source: TokenizerSource): TextTokenizer {
  if (!isObject(json) || !isObject(json.model)) {
    throw new UsageError(`${what} is not a tokenizer.json: it has no "model" object`);
  }
  const model = json.model;
  const type = modelType(model);
  if (!(SUPPORTED_MODELS as readonly string[]).includes(type)) {
    throw new UsageError(
      `${what}: tokenizer model type '${type}' is not supported by @huggingface/tokenizers (it reads ${SUPPORTED_MODELS.join(', ')})`,
    );
  }
  let tok: Tokenizer;
  try {
    const config = type === 'WordLevel' ? { unk_token: model.unk_token } : {};
    tok = new Tokenizer(adapt(json), config);
  } catch (e) {
    const msg = ((e as Error)?.message ?? String(e)).split('\n')[0];
    throw new UsageError(`${what}: @huggingface/tokenizers cannot read it (${msg})`);
  }
  const withAdded = tok.get_vocab(true);
  let vocabSize = 0;
  for (const id of withAdded.values()) vocabSize = Math.max(vocabSize, id + 1);
  const added = tok.get_added_tokens_decoder();
  const special = new Set([...added].filter(([, t]) => t.special).map(([id]) => id));
  const unk = typeof model.unk_token === 'string' ? tok.token_to_id(model.unk_token) : undefined;
  if (unk !== undefined) special.add(unk);
  if (typeof model.unk_id === 'number') special.add(model.unk_id);
  const byteLevel = mentions(json.pre_tokenizer, 'ByteLevel') || mentions(json.decoder, 'ByteLevel');
  const byteFallback = model.byte_fallback === true;
  const name = type === 'BPE' && byteLevel ? 'BPE (byte-level)' : type;
  const labels = new Map<number, string>();
  return {
    name,
    source,
    origin: what,
    vocabSize,
    json,
    encode(text: string, specialTokens = true): number[] {
      if (text.length === 0) throw new UsageError('the text is empty: give at least one character');
      const enc = tok.encode(text, { add_special_tokens: specialTokens });
      const missing = enc.ids.findIndex((id) => typeof id !== 'number');
      if (missing >= 0) {
        throw new UsageError(
          `the text's piece '${enc.tokens[missing]}' is outside the tokenizer's vocabulary (${what} has no unk token): change the text or the tokenizer`,
        );
      }
      return enc.ids;
    },
    label(id: number): string {
      let l = labels.get(id);
      if (l === undefined) {
        const piece = tok.id_to_token(id);
        l = piece === undefined ? `#${id}` : special.has(id) ? piece : pieceLabel(piece, { byteLevel });
        labels.set(id, l);
      }
      return l;
    },
    ordinaryIds(): number[] {
      const ids: number[] = [];
      for (const [piece, id] of tok.get_vocab(false)) {
        if (special.has(id) || added.has(id)) continue;
        if (byteFallback && /^<0x[0-9A-Fa-f]{2}>$/.test(piece)) continue;
        ids.push(id);
      }
      return ids.sort((a, b) => a - b);
    },
  };
}

/** The model type as the format gives it, or as older files imply it (the library's own inference). */
function modelType(model: Json): string {
  if (typeof model.type === 'string') return model.type;
  if (Array.isArray(model.vocab)) return 'Unigram';
  if ('merges' in model) return 'BPE';
  if ('continuing_subword_prefix' in model) return 'WordPiece';
  return 'WordLevel';
}

/** Whether a component (or a Sequence of them) has one of this type. */
function mentions(component: unknown, type: string): boolean {
  if (!isObject(component)) return false;
  if (component.type === type) return true;
  const inner = component.pretokenizers ?? component.decoders ?? component.normalizers;
  return Array.isArray(inner) && inner.some((c) => mentions(c, type));
}

/** The JSON with what the library lacks rewritten into what it has (see the header). */
function adapt(json: Json): Json {
  const rewrite = (c: unknown): unknown => {
    if (!isObject(c)) return c;
    if (c.type === 'CharDelimiterSplit') {
      return {
        type: 'Split',
        pattern: { Regex: escapeRegex(String(c.delimiter)) },
        behavior: 'Removed',
        invert: false,
      };
    }
    // The library wraps a String pattern in a capture group, so a `Removed` split would keep the delimiters.
    if (
      c.type === 'Split' &&
      c.behavior === 'Removed' &&
      isObject(c.pattern) &&
      typeof c.pattern.String === 'string'
    ) {
      return { ...c, pattern: { Regex: escapeRegex(c.pattern.String) } };
    }
    if (Array.isArray(c.pretokenizers)) return { ...c, pretokenizers: c.pretokenizers.map(rewrite) };
    return c;
  };
  return { ...json, pre_tokenizer: rewrite(json.pre_tokenizer) };
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
