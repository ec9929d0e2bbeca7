import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { UsageError } from '../../format/errors';
import { decodeModel, type OnnxModel } from '../../format/onnx/model';
import { parseTokenBatch, textBatch } from '../../probes/inputs/tokens';
import { argText, decodeUtf8 } from '../../format/text';
import { noTokenizer, type TextTokenizer } from '../../format/tokenizer/tokenizer';

/** Reading what the user names on the command line, with one-line errors that name the file. */

/** Largest file read whole: 1 GiB (smallscope's models are kilobytes; Node cannot hold a 2 GiB+ Buffer). */
export const MAX_FILE_BYTES = 2 ** 30;

export function readBytes(path: string, what: string): Uint8Array {
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new UsageError(`${what} '${path}' does not exist`);
  }
  if (!info.isFile()) throw new UsageError(`${what} '${path}' is not a file`);
  if (info.size > MAX_FILE_BYTES) {
    throw new UsageError(
      `${what} '${path}' is ${info.size} bytes, more than the ${MAX_FILE_BYTES} smallscope reads`,
    );
  }
  const buf = readFileSync(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function readModelFile(path: string): Uint8Array {
  const bytes = readBytes(path, 'model file');
  if (bytes.length === 0) throw new UsageError(`model file '${path}' is empty`);
  return bytes;
}

/**
 * Read and decode a model file. External data is allowed only inside the model's folder: the decoder refuses
 * absolute paths and `..` (format/onnx/validate.ts); here symlinks are resolved too, so a link in the folder
 * pointing elsewhere is refused as well.
 */
export function openModelFile(path: string): OnnxModel {
  const dir = dirname(path);
  const model = decodeModel(readModelFile(path), { externalDataDir: dir });
  if (model.externalData.length > 0) {
    const realDir = realpathSync(dir);
    for (const ref of model.externalData) {
      let real: string;
      try {
        real = realpathSync(join(dir, ref.location));
      } catch {
        throw new UsageError(
          `tensor '${ref.tensor}' refers to external data '${ref.location}', which does not exist`,
        );
      }
      if (!real.startsWith(realDir + sep)) {
        throw new UsageError(
          `tensor '${ref.tensor}' refers to external data '${ref.location}', which resolves outside the model's folder: refused`,
        );
      }
    }
  }
  return model;
}

export interface InputFlags {
  text?: string;
  tokensFile?: string;
  repeatRandom?: number;
}

/** The model's tokenizer for --text (bin/model/tokenizer-files.ts); without one, text is bytes. */
export interface TextContext {
  tokenizer: TextTokenizer | null;
  vocab: number | null;
  /** false for --no-special-tokens */
  specialTokens?: boolean;
}

/**
 * The token batch from --text or --tokens-file; null when --repeat-random was chosen (the caller builds it,
 * since it needs the model's vocabulary). Exactly one input flag must be given. Text goes through the
 * model's tokenizer when `context` gives one, and is refused (naming --tokenizer) when it says there is none.
 */
export function tokensFromFlags(
  opts: InputFlags,
  allowRepeatRandom = false,
  context?: TextContext,
): number[][] | null {
  const given = [
    opts.text !== undefined && '--text',
    opts.tokensFile !== undefined && '--tokens-file',
    opts.repeatRandom !== undefined && '--repeat-random',
  ].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give only one of ${given.join(', ')}`);
  if (opts.text !== undefined) {
    const text = argText(opts.text);
    if (!context) return textBatch(text);
    if (!context.tokenizer) throw noTokenizer(context.vocab);
    return [context.tokenizer.encode(text, context.specialTokens ?? true)];
  }
  if (opts.tokensFile !== undefined) {
    const what = `tokens file '${opts.tokensFile}'`;
    return parseTokenBatch(decodeUtf8(readBytes(opts.tokensFile, 'tokens file'), what), what);
  }
  if (opts.repeatRandom !== undefined && allowRepeatRandom) return null;
  throw new UsageError(
    `give the input: --text T or --tokens-file F${allowRepeatRandom ? ' or --repeat-random N' : ''}`,
  );
}
