/**
 * Seeded mutations of ONNX model bytes for the fuzz tests: byte flips, truncations, splices and corrupted
 * length varints (the lengths of protobuf's length-delimited fields, found by walking the wire format).
 * Everything is a pure function of the seed, so a failing case is reproduced from its seed alone.
 */
import { mulberry32 } from '../../probes/inputs/prng';

/** The probes' seeded PRNG (mulberry32): a failing case is reproduced from its seed alone. */
export const rng = mulberry32;

const int = (r: () => number, n: number) => Math.floor(r() * n);

function readVarint(b: Uint8Array, pos: number): { value: number; end: number } | null {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= b.length) return null;
    const byte = b[pos + i];
    value += (byte & 0x7f) * mul;
    mul *= 128;
    if ((byte & 0x80) === 0) return { value, end: pos + i + 1 };
  }
  return null;
}

export function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0 && out.length < 10);
  return Uint8Array.from(out);
}

/** Offsets of the length varints of length-delimited fields, recursing into those that parse as messages. */
export function lengthVarints(
  b: Uint8Array,
  start = 0,
  end = b.length,
  depth = 0,
  out: number[] = [],
): number[] {
  let pos = start;
  while (pos < end && out.length < 100_000) {
    const key = readVarint(b, pos);
    if (!key || key.end > end) return out;
    const wire = key.value % 8;
    pos = key.end;
    if (wire === 0) {
      const v = readVarint(b, pos);
      if (!v) return out;
      pos = v.end;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const len = readVarint(b, pos);
      if (!len || len.end + len.value > end) return out;
      out.push(pos);
      if (depth < 6) lengthVarints(b, len.end, len.end + len.value, depth + 1, out);
      pos = len.end + len.value;
    } else return out;
  }
  return out;
}

export type Mutation = 'flip' | 'truncate' | 'splice' | 'varint' | 'combo';
export const MUTATIONS: Mutation[] = ['flip', 'truncate', 'splice', 'varint', 'combo'];

const INTERESTING = [0, 1, 2, 127, 128, 255, 0x3fff, 0x7fffffff, 0xffffffff, 2 ** 40, 2 ** 53 - 1];

function mutateOnce(
  kind: Exclude<Mutation, 'combo'>,
  b: Uint8Array,
  donor: Uint8Array,
  r: () => number,
): Uint8Array {
  switch (kind) {
    case 'flip': {
      const out = b.slice();
      const n = 1 + int(r, 8);
      for (let i = 0; i < n && out.length > 0; i++) {
        const at = int(r, out.length);
        out[at] = r() < 0.5 ? out[at] ^ (1 << int(r, 8)) : int(r, 256);
      }
      return out;
    }
    case 'truncate':
      return b.slice(0, int(r, b.length));
    case 'splice': {
      const from = int(r, donor.length);
      const len = Math.min(1 + int(r, 4096), donor.length - from);
      const at = int(r, b.length + 1);
      const replace = r() < 0.5 ? len : 0;
      const out = new Uint8Array(b.length - Math.min(replace, b.length - at) + len);
      out.set(b.subarray(0, at), 0);
      out.set(donor.subarray(from, from + len), at);
      out.set(b.subarray(Math.min(b.length, at + replace)), at + len);
      return out;
    }
    case 'varint': {
      const offsets = lengthVarints(b);
      if (offsets.length === 0) return mutateOnce('flip', b, donor, r);
      const at = offsets[int(r, offsets.length)];
      const old = readVarint(b, at)!;
      const choice = r();
      const value =
        choice < 0.4
          ? INTERESTING[int(r, INTERESTING.length)]
          : choice < 0.8
            ? Math.max(0, old.value + int(r, 17) - 8)
            : int(r, 2 ** 31);
      const v = encodeVarint(value);
      const out = new Uint8Array(b.length - (old.end - at) + v.length);
      out.set(b.subarray(0, at), 0);
      out.set(v, at);
      out.set(b.subarray(old.end), at + v.length);
      return out;
    }
  }
}

/** The seed-th mutation of `base` (`donor` provides spliced bytes): deterministic in (base, donor, seed). */
export function mutate(
  base: Uint8Array,
  donor: Uint8Array,
  seed: number,
): { kind: Mutation; bytes: Uint8Array } {
  const r = rng(seed);
  const kind = MUTATIONS[seed % MUTATIONS.length];
  if (kind !== 'combo') return { kind, bytes: mutateOnce(kind, base, donor, r) };
  let bytes = base;
  const steps = 2 + int(r, 3);
  for (let i = 0; i < steps; i++) {
    const k = (['flip', 'splice', 'varint', 'truncate'] as const)[int(r, i === steps - 1 ? 4 : 3)];
    bytes = mutateOnce(k, bytes, donor, r);
  }
  return { kind, bytes };
}
