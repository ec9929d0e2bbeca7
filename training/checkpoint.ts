import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { HistoryPoint } from '../format/manifest';
import { syncDir, writeFileAtomic } from './export/atomic';
import type { RngState } from './random';

/**
 * Everything a resumed run needs besides the ONNX file: raw weights (including the masked conv tap, which
 * the ONNX graph holds as zeros), AdamW moments, the step, the data sampler's RNG state, the training loss
 * accumulated since the last evaluation, and the config and history:
 *
 *   "SSCK" | u32 header length | header JSON (utf-8) | zero padding to 4 bytes | float32 tensors (LE)
 *
 * A checkpoint is a pair, model.onnx + train_state.bin, and two files cannot be replaced in one atomic step.
 * So the state names its model (the SHA-256 of the model.onnx bytes written with it) and is committed in
 * three atomic steps (saveCheckpoint): the new state as train_state.next.bin, then model.onnx, then the
 * rename of train_state.next.bin over train_state.bin. Killed at any moment, the folder holds a matching
 * pair: the old model.onnx + train_state.bin, or the new model.onnx + train_state.next.bin (promoted by
 * recoverCheckpoint when --resume starts). Temp files (`.NAME.tmp-PID-TIME`) never end in .onnx or .bin.
 */
export const STATE_FILE = 'train_state.bin';
export const PENDING_STATE_FILE = 'train_state.next.bin';
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
  /** Training loss summed since the last evaluation (so a resumed run reports the same curve). */
  lossAcc?: { sum: number; count: number };
  /** SHA-256 (hex) of the model.onnx bytes this state was saved with; absent in older states. */
  modelSha256?: string;
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
    JSON.stringify({
      config: s.config,
      step: s.step,
      rng: s.rng,
      history: s.history,
      lossAcc: s.lossAcc,
      modelSha256: s.modelSha256,
      tensors: entries,
    }),
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
  const bad = (why: string) => new Error(`${what} is not a complete smallscope training state (${why})`);
  if (bytes.length < 8) throw bad('too short');
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== MAGIC) throw new Error(`${what} is not a smallscope training state`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = view.getUint32(4, true);
  if (8 + len > bytes.length) throw bad('header cut short');
  let header: { step: number; tensors: Entry[] } & Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  } catch {
    throw bad('header is not JSON');
  }
  const start = Math.ceil((8 + len) / 4) * 4;
  const count = Math.max(0, Math.floor((bytes.length - start) / 4));
  if (!Array.isArray(header.tensors) || typeof header.step !== 'number') throw bad('header fields missing');
  if (header.tensors.some((e) => e.offset + e.length > count)) throw bad('tensor section cut short');
  // Copy into a fresh buffer: a Buffer from readFileSync may sit at an unaligned offset in a shared pool
  // (and Buffer#slice is a view, not a copy).
  const tensorBytes = new Uint8Array(count * 4);
  tensorBytes.set(bytes.subarray(start, start + count * 4));
  const floats = new Float32Array(tensorBytes.buffer);
  const out = { ...header, params: {}, m: {}, v: {} } as unknown as SavedState<C>;
  for (const e of header.tensors) out[e.group][e.name] = floats.slice(e.offset, e.offset + e.length);
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Test hook: SMALLSCOPE_CHECKPOINT_PAUSE_MS holds each step of a checkpoint write open (kill tests). */
function testPause(): void {
  const ms = Number(process.env.SMALLSCOPE_CHECKPOINT_PAUSE_MS ?? 0);
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Write a checkpoint: the state and the model it pairs with, in the order described at the top. */
export function saveCheckpoint<C>(dir: string, s: SavedState<C>, model: Uint8Array): void {
  const pending = path.join(dir, PENDING_STATE_FILE);
  writeFileAtomic(pending, encodeState({ ...s, modelSha256: sha256(model) }));
  testPause();
  writeFileAtomic(path.join(dir, MODEL_FILE), model);
  testPause();
  renameSync(pending, path.join(dir, STATE_FILE));
  syncDir(dir);
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, STATE_FILE)) || existsSync(path.join(dir, MODEL_FILE));
}

function tryState<C>(file: string): SavedState<C> | null {
  if (!existsSync(file)) return null;
  try {
    return decodeState<C>(readFileSync(file), file);
  } catch {
    return null;
  }
}

export interface Checkpoint<C> {
  state: SavedState<C>;
  /** The file the state was read from. */
  stateFile: string;
  /** model.onnx is the model saved with this state (false: it must be exported again from the state). */
  modelMatches: boolean;
}

/**
 * The last complete checkpoint in `dir`, read only: the state whose recorded model hash matches model.onnx
 * (the pending state first: it is the newer), else train_state.bin alone (a model.onnx to be re-exported),
 * else undefined.
 */
export function findCheckpoint<C>(dir: string): Checkpoint<C> | undefined {
  const modelFile = path.join(dir, MODEL_FILE);
  const modelHash = existsSync(modelFile) ? sha256(readFileSync(modelFile)) : null;
  const candidates = [PENDING_STATE_FILE, STATE_FILE].map((f) => path.join(dir, f));
  for (const file of candidates) {
    const state = tryState<C>(file);
    // A state from before model hashes were recorded pairs with whatever model.onnx is there.
    if (state && modelHash !== null && (state.modelSha256 ?? modelHash) === modelHash)
      return { state, stateFile: file, modelMatches: true };
  }
  const state = tryState<C>(candidates[1]);
  return state ? { state, stateFile: candidates[1], modelMatches: false } : undefined;
}

/**
 * Prepare `dir` for --resume (or a fresh start when `resume` is false): remove temp files left by a killed
 * write, promote a pending state whose model landed, drop one whose model did not. Returns the checkpoint
 * to continue from, if any.
 */
export function recoverCheckpoint<C>(dir: string, resume = true): Checkpoint<C> | undefined {
  removeTempFiles(dir);
  const found = resume ? findCheckpoint<C>(dir) : undefined;
  const pending = path.join(dir, PENDING_STATE_FILE);
  if (found && found.stateFile === pending) {
    renameSync(pending, path.join(dir, STATE_FILE));
    syncDir(dir);
    return { ...found, stateFile: path.join(dir, STATE_FILE) };
  }
  rmSync(pending, { force: true });
  return found;
}

/** `.model.onnx.tmp-123-abc` and the like: what writeFileAtomic leaves when killed mid-write. */
export const TEMP_FILE_RE = /^\..+\.tmp-\d+-[0-9a-z]+$/;

function removeTempFiles(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (TEMP_FILE_RE.test(name)) rmSync(path.join(dir, name), { force: true });
}
