import { readFileSync } from 'node:fs';
import { UsageError } from '../../format/errors';
import { decodeUtf8 } from '../../format/text';
import { loadTokenizerJson } from '../../format/tokenizer/huggingface';
import { gpt2TokenizerJson } from './gpt2-merges';
import type { TrainTokenizer } from './text';

/**
 * Built-in tokenizers by name, as `--corpus brown` names a corpus: `gpt2` is GPT-2's byte-level BPE (50,257
 * ids), `gpt2-N` the same cut to its first N merges (256 + N ids; `gpt2-4096`, 4,352 ids, is the demo pair's),
 * both built from js-tiktoken's copy of GPT-2's ranks, so nothing is downloaded. A file with such a name is
 * `./gpt2-4096`.
 */
const GPT2_NAME = /^gpt2(?:-(\d+))?$/;
const GPT2_MERGES = 50000;

/**
 * `smallscope train --tokenizer FILE`: the tokenizer.json a text run trains over, read and checked before any
 * training starts (one line and exit 2 for a file that is not one), with its vocabulary size for the model's
 * embedding and read-out. The parsed JSON travels in the run's config (so --resume has it) and is embedded
 * whole in the checkpoint's manifest.
 */
export function readTrainTokenizer(path: string): TrainTokenizer {
  const named = GPT2_NAME.exec(path);
  if (named) {
    const merges = named[1] === undefined ? undefined : Number(named[1]);
    if (merges !== undefined && (merges < 1 || merges > GPT2_MERGES))
      throw new UsageError(
        `--tokenizer ${path}: GPT-2 has merges 1 to ${GPT2_MERGES}, so gpt2-N takes N in that range`,
      );
    const json = gpt2TokenizerJson({ merges });
    const tok = loadTokenizerJson(JSON.stringify(json), `built-in tokenizer '${path}'`, 'flag');
    return { path, json: tok.json!, vocab: tok.vocabSize };
  }
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
