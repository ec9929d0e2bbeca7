import { UsageError } from './errors';

/**
 * The byte tokenizer of the seeds: token = one UTF-8 byte, vocabulary 256. A character outside ASCII becomes
 * several tokens, exactly as the models saw it in training.
 */
export const BYTE_VOCAB = 256;

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Token ids of a text; refuses empty text with a message that names the problem. */
export function encodeText(text: string): number[] {
  if (text.length === 0) throw new UsageError('the text is empty: give at least one character');
  return Array.from(encoder.encode(text));
}

/**
 * Text from the command line (--text): Node decodes argv as UTF-8 and turns invalid bytes (a Latin-1 file
 * passed as `--text "$(cat f)"`) into U+FFFD, which would be fed to the model as the bytes EF BF BD. Refuse
 * it by name instead. Control characters are bytes the models were trained on: they are kept, and shown
 * escaped (tokenLabel) wherever tokens are printed.
 */
export function argText(text: string, flag = '--text'): string {
  if (text.includes('\uFFFD')) {
    throw new UsageError(
      `${flag} is not valid UTF-8 (it holds U+FFFD, the replacement for undecodable bytes); convert the text to UTF-8, or pass token ids with --tokens-file`,
    );
  }
  return text;
}

/** Decode raw file bytes as UTF-8, refusing invalid sequences (a binary file, Latin-1 text) by name. */
export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    throw new UsageError(`${what} is not valid UTF-8 text`);
  }
}

/** A short printable label for one byte token, for axes and hover (control bytes shown by name). */
export function tokenLabel(id: number): string {
  if (id === 32) return '␣';
  if (id === 10) return '⏎';
  if (id === 9) return '⇥';
  if (id < 32 || id === 127) return `\\x${id.toString(16).padStart(2, '0')}`;
  if (id < 127) return String.fromCharCode(id);
  return `\\x${id.toString(16).padStart(2, '0')}`;
}
