import { readFileSync } from 'node:fs';
import { UsageError } from '../../format/errors';
import { decodeUtf8 } from '../../format/text';
import { tokenizerFromJson } from '../../format/tokenizer/huggingface';
import type { Rng } from '../random';
import { joinDocuments, loadBrown, splitByDocument } from './brown';
import { CORPUS_GENERATOR, generateCorpus } from './corpus';

/**
 * The next-byte text task: a corpus of bytes split into training (first 90%) and held-out validation (last
 * 10%) parts; batches are random windows of seq_len + 1 bytes (inputs are the first seq_len, targets the last
 * seq_len). The corpus is either generated (see corpus.ts), read from a UTF-8 file, or the Brown corpus
 * (`--corpus brown`, brown.ts), which is split by document instead. With a tokenizer
 * (`train --tokenizer FILE`), the corpus is its token ids instead of bytes (no special tokens), and the task is
 * next-token prediction over that vocabulary.
 */
export interface TextTask {
  /** What goes into the manifest's `task`. */
  describe: {
    name: 'text';
    source: string;
    bytes: number;
    generator?: string;
    corpus_seed?: number;
    tokenizer?: string;
    tokens?: number;
    /** brown: documents on each side of the split, and their bytes */
    documents?: { train: number; validation: number };
    train_bytes?: number;
    validation_bytes?: number;
  };
  train: TokenData;
  val: TokenData;
}

/** The corpus as ids: bytes, or a tokenizer's ids. */
export type TokenData = Uint8Array | Int32Array;

/** A tokenizer.json to train over: the file it came from and its parsed JSON (saved with the run, for --resume). */
export interface TrainTokenizer {
  path: string;
  json: Record<string, unknown>;
  /** One past its largest id: the model's vocabulary. */
  vocab: number;
}

export const VAL_FRACTION = 0.1;
export const GENERATED_BYTES = 1_000_000;
/** `--corpus brown` names the Brown corpus; a file called brown is `./brown`. */
export const BROWN = 'brown';

// Generating a megabyte takes a moment; a process that trains several runs (tests, sweeps) reuses it.
const generated = new Map<number, Uint8Array>();

export function loadTextTask(opts: {
  corpus?: string;
  tokenizer?: TrainTokenizer;
  seed: number;
  seqLen: number;
}): TextTask {
  let describe: TextTask['describe'];
  // One text is cut at 90% into training and validation; the Brown corpus comes as two, split by document.
  let parts: [Uint8Array] | [Uint8Array, Uint8Array];
  if (opts.corpus === BROWN) {
    const brown = loadBrown();
    const docs = splitByDocument(brown.documents);
    const enc = new TextEncoder();
    const [train, val] = [enc.encode(joinDocuments(docs.train)), enc.encode(joinDocuments(docs.validation))];
    parts = [train, val];
    describe = {
      name: 'text',
      source: brown.source,
      bytes: train.length + val.length,
      documents: { train: docs.train.length, validation: docs.validation.length },
      train_bytes: train.length,
      validation_bytes: val.length,
    };
  } else if (opts.corpus) {
    let raw: Uint8Array;
    try {
      raw = readFileSync(opts.corpus);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(
        `cannot read --corpus ${opts.corpus}: ${code === 'ENOENT' ? 'no such file' : code}`,
      );
    }
    decodeUtf8(raw, `--corpus ${opts.corpus}`); // refuse binary or Latin-1 files by name
    parts = [raw];
    describe = { name: 'text', source: opts.corpus, bytes: raw.length };
  } else {
    // The corpus seed is derived from the run seed, so `--seed` alone reproduces everything.
    const corpusSeed = (opts.seed * 7919 + 17) >>> 0;
    const bytes =
      generated.get(corpusSeed) ?? new TextEncoder().encode(generateCorpus(corpusSeed, GENERATED_BYTES));
    generated.set(corpusSeed, bytes);
    parts = [bytes];
    describe = {
      name: 'text',
      source: 'generated',
      bytes: bytes.length,
      generator: CORPUS_GENERATOR,
      corpus_seed: corpusSeed,
    };
  }
  // Bytes to ids: the tokenizer's (no special tokens), or the bytes themselves.
  const tok = opts.tokenizer
    ? tokenizerFromJson(opts.tokenizer.json, `--tokenizer ${opts.tokenizer.path}`, 'flag')
    : null;
  const ids = (b: Uint8Array): TokenData =>
    tok ? Int32Array.from(tok.encode(new TextDecoder().decode(b), false)) : b;
  let train: TokenData;
  let val: TokenData;
  if (parts.length === 2) [train, val] = [ids(parts[0]), ids(parts[1])];
  else {
    const all = ids(parts[0]);
    const cut = Math.floor(all.length * (1 - VAL_FRACTION));
    [train, val] = [all.subarray(0, cut), all.subarray(cut)];
  }
  const total = train.length + val.length;
  if (tok) describe = { ...describe, tokenizer: `${tok.name} (${opts.tokenizer!.path})`, tokens: total };
  const need = opts.seqLen + 1;
  if (val.length < need) {
    const min = Math.ceil(need / VAL_FRACTION) + 1;
    throw new UsageError(
      `--corpus ${opts.corpus} is too short (${total} ${opts.tokenizer ? 'tokens' : 'bytes'}) for --seq-len ${opts.seqLen}: give at least ${min} ${opts.tokenizer ? 'tokens' : 'bytes'} or a shorter --seq-len`,
    );
  }
  return { describe, train, val };
}

/** A batch of random training windows: int32 [batch, seq_len + 1], row-major. */
export function sampleWindows(data: TokenData, rng: Rng, batch: number, seqLen: number): Int32Array {
  const w = seqLen + 1;
  const out = new Int32Array(batch * w);
  for (let b = 0; b < batch; b++) {
    const start = rng.int(data.length - w + 1);
    for (let i = 0; i < w; i++) out[b * w + i] = data[start + i];
  }
  return out;
}

/**
 * Fixed validation windows, evenly spaced over the held-out part, so every evaluation of a run (and of a
 * resumed run) sees the same bytes. Returns up to `count` batches of int32 [batch, seq_len + 1].
 */
export function validationBatches(
  data: TokenData,
  batch: number,
  seqLen: number,
  count: number,
): Int32Array[] {
  const w = seqLen + 1;
  const windows = Math.max(1, Math.min(batch * count, Math.floor(data.length / w)));
  const stride = Math.max(1, Math.floor((data.length - w) / Math.max(1, windows - 1)));
  const rows: Int32Array[] = [];
  for (let k = 0; k < windows; k++) rows.push(Int32Array.from(data.subarray(k * stride, k * stride + w)));
  const batches: Int32Array[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    const flat = new Int32Array(chunk.length * w);
    chunk.forEach((r, j) => flat.set(r, j * w));
    batches.push(flat);
  }
  return batches;
}
