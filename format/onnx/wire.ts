import { UsageError } from '../errors';

/**
 * Protobuf's wire format, just enough to copy a message field by field: surgery that removes entries (see
 * prune.ts) works on the bytes, so every field it does not touch, known to our schema or not, is kept as the
 * exporter wrote it.
 */

/**
 * Bytes the wire reader cannot walk (a group, a varint past 10 bytes, a field running past its message). The
 * file is at fault, so it is a UsageError; protobufjs may still have decoded it (it skips groups).
 */
export class MalformedProtobuf extends UsageError {}

/** One field of a message: its number, wire type and byte range (`body` is a length-delimited payload). */
export interface WireField {
  field: number;
  wireType: number;
  /** The whole field, tag included. */
  start: number;
  end: number;
  /** Payload of a length-delimited field (wire type 2); empty range otherwise. */
  bodyStart: number;
  bodyEnd: number;
}

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length; i++) {
    const b = bytes[i];
    value += (b & 0x7f) * scale;
    if (b < 0x80) return [value, i + 1];
    scale *= 128;
    if (i - at >= 9) break;
  }
  throw new MalformedProtobuf(`malformed protobuf: bad varint at byte ${at}`);
}

/** The fields of a message, in order. Groups (wire types 3, 4; unused by ONNX) are refused. */
export function wireFields(bytes: Uint8Array, from = 0, to = bytes.length): WireField[] {
  const fields: WireField[] = [];
  let at = from;
  while (at < to) {
    const start = at;
    const [tag, afterTag] = readVarint(bytes, at);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    let bodyStart = afterTag;
    let bodyEnd = afterTag;
    if (wireType === 0) at = readVarint(bytes, afterTag)[1];
    else if (wireType === 1) at = afterTag + 8;
    else if (wireType === 5) at = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, afterTag);
      bodyStart = afterLength;
      bodyEnd = afterLength + length;
      at = bodyEnd;
    } else throw new MalformedProtobuf(`malformed protobuf: wire type ${wireType} at byte ${start}`);
    if (at > to)
      throw new MalformedProtobuf(
        `malformed protobuf: field ${field} at byte ${start} runs past its message`,
      );
    fields.push({ field, wireType, start, end: at, bodyStart, bodyEnd });
  }
  return fields;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** The tag and length of a length-delimited field whose payload (`length` bytes) follows. */
export function fieldHead(field: number, length: number): Uint8Array {
  return Uint8Array.from([...varint(field * 8 + 2), ...varint(length)]);
}

/** A length-delimited field: tag, length, then the payload parts in order. */
export function lengthDelimited(field: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const head = [...varint(field * 8 + 2), ...varint(length)];
  const out = new Uint8Array(head.length + length);
  out.set(head, 0);
  let at = head.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The byte arrays one after another, in one new array (protobuf fields here; PNG chunks in figures/png.ts). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
