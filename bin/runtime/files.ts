import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../../probes/errors';
import { parseTokenBatch, textBatch } from '../../probes/inputs/tokens';
import { decodeUtf8 } from '../../probes/text';

/** Reading what the user names on the command line, with one-line errors that name the file. */

export function readBytes(path: string, what: string): Uint8Array {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new UsageError(`${what} '${path}' does not exist`);
  }
  if (!isFile) throw new UsageError(`${what} '${path}' is not a file`);
  const buf = readFileSync(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function readModelFile(path: string): Uint8Array {
  const bytes = readBytes(path, 'model file');
  if (bytes.length === 0) throw new UsageError(`model file '${path}' is empty`);
  return bytes;
}

export interface InputFlags {
  text?: string;
  tokensFile?: string;
  repeatRandom?: number;
}

/**
 * The token batch from --text or --tokens-file; null when --repeat-random was chosen (the caller builds it,
 * since it needs the model's vocabulary). Exactly one input flag must be given.
 */
export function tokensFromFlags(opts: InputFlags, allowRepeatRandom = false): number[][] | null {
  const given = [
    opts.text !== undefined && '--text',
    opts.tokensFile !== undefined && '--tokens-file',
    opts.repeatRandom !== undefined && '--repeat-random',
  ].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give only one of ${given.join(', ')}`);
  if (opts.text !== undefined) return textBatch(opts.text);
  if (opts.tokensFile !== undefined) {
    const what = `tokens file '${opts.tokensFile}'`;
    return parseTokenBatch(decodeUtf8(readBytes(opts.tokensFile, 'tokens file'), what), what);
  }
  if (opts.repeatRandom !== undefined && allowRepeatRandom) return null;
  throw new UsageError(
    `give the input: --text T or --tokens-file F${allowRepeatRandom ? ' or --repeat-random N' : ''}`,
  );
}
