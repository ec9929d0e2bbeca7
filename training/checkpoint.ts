import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryPoint } from '../probes/manifest';
import { writeFileAtomic } from './export/atomic';
import type { RngState } from './random';

/**
 * Everything a resumed run needs besides the ONNX file: raw weights (including the masked conv tap, which
 * the ONNX graph holds as zeros), AdamW moments, the step, the data sampler's RNG state and the config and
 * history. One binary file, replaced atomically, so "the last complete checkpoint" is simply whatever is
 * there:
 *
 *   "SSCK" | u32 header length | header JSON (utf-8) | zero padding to 4 bytes | float32 tensors (LE)
 */
export const STATE_FILE = 'train_state.bin';
export const MODEL_FILE = 'model.onnx';
export const METRICS_FILE = 'metrics.jsonl';
const MAGIC = 'SSCK';

export interface SavedState<Config> {
  config: Config;
  step: number;
  rng: { words: RngState; spare: number | null };
  history: HistoryPoint[];
  params: Record<string, Float32Array>;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

interface Entry {
  group: 'params' | 'm' | 'v';
  name: string;
  offset: number; // in float32 elements from the start of the tensor section
  length: number;
}

export function encodeState<C>(s: SavedState<C>): Uint8Array {
  const entries: Entry[] = [];
  let offset = 0;
  for (const group of ['params', 'm', 'v'] as const) {
    for (const [name, data] of Object.entries(s[group])) {
      entries.push({ group, name, offset, length: data.length });
      offset += data.length;
    }
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ config: s.config, step: s.step, rng: s.rng, history: s.history, tensors: entries }),
  );
  const start = Math.ceil((8 + header.length) / 4) * 4;
  const out = new Uint8Array(start + offset * 4);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, 8);
  const floats = new Float32Array(out.buffer, start, offset); // little-endian on every platform Node runs on
  for (const e of entries) floats.set(s[e.group][e.name], e.offset);
  return out;
}

export function decodeState<C>(bytes: Uint8Array, what: string): SavedState<C> {
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MAGIC) throw new Error(`${what} is not a smallscope training state`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const start = Math.ceil((8 + len) / 4) * 4;
  // Copy into a fresh buffer: a Buffer from readFileSync may sit at an unaligned offset in a shared pool
  // (and Buffer#slice is a view, not a copy).
  const tensorBytes = new Uint8Array(bytes.length - start);
  tensorBytes.set(bytes.subarray(start));
  const floats = new Float32Array(tensorBytes.buffer);
  const out: SavedState<C> = { ...header, params: {}, m: {}, v: {} };
  for (const e of header.tensors as Entry[])
    out[e.group][e.name] = floats.slice(e.offset, e.offset + e.length);
  return out;
}

export function saveState<C>(dir: string, s: SavedState<C>): void {
  writeFileAtomic(path.join(dir, STATE_FILE), encodeState(s));
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, STATE_FILE)) || existsSync(path.join(dir, MODEL_FILE));
}

export function loadState<C>(dir: string): SavedState<C> | undefined {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) return undefined;
  return decodeState<C>(readFileSync(file), file);
}
