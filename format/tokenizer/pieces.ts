import { tokenLabel } from '../text';

/**
 * A tokenizer piece as text a reader can see: byte-level BPE spells bytes as printable characters (GPT-2's
 * bytes_to_unicode: `Ġ` is a space, `Ċ` a newline), SentencePiece marks a word start with `▁`, byte fallback
 * writes `<0x0A>`. Shown with the conventions of the byte labels (format/text.ts): `␣` space, `⏎` newline,
 * `⇥` tab, `\xNN` for a control byte or a byte that is not whole UTF-8 on its own.
 */

/** GPT-2's bytes_to_unicode: byte -> the character byte-level BPE writes for it. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    table[b] = printable.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  return table;
}

let unicodeToByte: Map<string, number> | null = null;
function byteOf(ch: string): number | undefined {
  unicodeToByte ??= new Map(bytesToUnicode().map((c, b) => [c, b] as const));
  return unicodeToByte.get(ch);
}

const strict = new TextDecoder('utf-8', { fatal: true });

/** Text of raw bytes: whole UTF-8 shown as characters (spaces and controls marked), else `\xNN` per byte. */
export function bytesLabel(bytes: readonly number[]): string {
  let text: string | null = null;
  try {
    text = strict.decode(Uint8Array.from(bytes));
  } catch {
    text = null;
  }
  if (text === null) return bytes.map(tokenLabel).join('');
  return Array.from(text, visible).join('');
}

/** One character with spaces and controls made visible. */
export function visible(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c < 128) return tokenLabel(c);
  if (c === 0xa0) return '⍽';
  return ch;
}

const BYTE_PIECE = /^<0x([0-9A-Fa-f]{2})>$/;

/** The label of a piece, given how the tokenizer writes its pieces. */
export function pieceLabel(piece: string, { byteLevel }: { byteLevel: boolean }): string {
  const fallback = BYTE_PIECE.exec(piece);
  if (fallback) return bytesLabel([parseInt(fallback[1], 16)]);
  if (byteLevel) {
    const bytes = Array.from(piece, byteOf);
    if (bytes.every((b) => b !== undefined)) return bytesLabel(bytes as number[]);
  }
  return Array.from(piece.replaceAll('▁', ' '), visible).join('');
}
