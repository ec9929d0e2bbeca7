import { readFileSync } from 'node:fs';
import { UsageError } from '../../format/errors';
import { decodeUtf8 } from '../../format/text';
import { loadTokenizerJson } from '../../format/tokenizer/huggingface';
import type { TrainTokenizer } from './text';

/**
 * `smallscope train --tokenizer FILE`: the tokenizer.json a text run trains over, read and checked before any
 * training starts (one line and exit 2 for a file that is not one), with its vocabulary size for the model's
 * embedding and read-out. The parsed JSON travels in the run's config (so --resume has it) and is embedded
 * whole in the checkpoint's manifest.
 */
export function readTrainTokenizer(path: string): TrainTokenizer {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --tokenizer ${path}: ${code === 'ENOENT' ? 'no such file' : code}`);
  }
  const what = `tokenizer file '${path}'`;
  const tok = loadTokenizerJson(decodeUtf8(raw, what), what, 'flag');
  return { path, json: tok.json!, vocab: tok.vocabSize };
}
