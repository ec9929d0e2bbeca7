/**
 * An error caused by what the user gave us (a bad file, bad flag, bad text). The CLI prints its message as one
 * line on stderr and exits 2; anything else is an internal failure (exit 1).
 *
 * One line always: a message quotes names taken from the user's file (tensor and node names), and a hostile or
 * corrupt file can put newlines and other control characters in them. They are written as escapes (`\n`,
 * `\x07`) here, once, rather than at each of the many places that quote a name.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(oneLine(message));
    this.name = 'UsageError';
  }
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every C0 control character, DEL and line/paragraph separator written as an escape. */
export function oneLine(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f\u2028\u2029]/g,
    (c) =>
      ESCAPES[c] ??
      (c.charCodeAt(0) > 0xff
        ? `\\u${c.charCodeAt(0).toString(16)}`
        : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`),
  );
}
