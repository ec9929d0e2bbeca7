import type { Rng } from '../random';
import type { Span } from '../metrics';
import type { MaskedSample } from './masked-sample';
import { selcopyLength, selcopySample, validateSelcopy, type SelcopyConfig } from './selcopy';
import { validateVselcopy, vselcopySample, type VselcopyConfig } from './vselcopy';

/**
 * Batches of the seeds' masked text-to-text tasks as byte ids: the model reads `input` (the answer replaced
 * by '?') and is trained to output `target` at every position, the whole string as in the seeds ("requiring
 * the network to reproduce the whole string while replacing the mask with the actual answer"). Rows shorter
 * than the sequence length are padded with spaces on both sides of the pair (a pad the model learns to copy).
 */
export type MaskedTaskConfig =
  | ({ name: 'selcopy' } & SelcopyConfig)
  | ({ name: 'vselcopy' } & VselcopyConfig & { valOps: [number, number] });

export interface MaskedBatch {
  inputs: Int32Array; // [rows, seqLen]
  targets: Int32Array; // [rows, seqLen]
  spans: Span[];
  rows: number;
  /** targets per row when they are not one per input position (counting: one per output step) */
  targetLen?: number;
}

export const PAD_BYTE = 32;

export function validateMaskedTask(c: MaskedTaskConfig): void {
  if (c.name === 'selcopy') validateSelcopy(c);
  else {
    validateVselcopy(c);
    validateVselcopy({ ...c, ops: c.valOps });
  }
}

/** Longest sample the task can draw (training or validation), = the model's sequence length. */
export function maskedSeqLen(c: MaskedTaskConfig): number {
  if (c.name === 'selcopy') return selcopyLength(c);
  const n = c.length[1];
  const ops = Math.max(c.ops[1], c.valOps[1]);
  // ITEMS ':' ops as "x>y" joined by spaces ':' ANSWER (the answer is padded to the item count)
  return n + 1 + Math.max(0, 4 * ops - 1) + 1 + n;
}

export function maskedSample(c: MaskedTaskConfig, rng: Rng, validation = false): MaskedSample {
  if (c.name === 'selcopy') return selcopySample(c, rng);
  return vselcopySample(validation ? { ...c, ops: c.valOps } : c, rng);
}

export function encodeBatch(samples: MaskedSample[], seqLen: number): MaskedBatch {
  const rows = samples.length;
  const inputs = new Int32Array(rows * seqLen).fill(PAD_BYTE);
  const targets = new Int32Array(rows * seqLen).fill(PAD_BYTE);
  samples.forEach((s, r) => {
    if (s.input.length > seqLen) throw new Error(`sample longer (${s.input.length}) than seq_len ${seqLen}`);
    for (let t = 0; t < s.input.length; t++) {
      inputs[r * seqLen + t] = s.input.charCodeAt(t);
      targets[r * seqLen + t] = s.target.charCodeAt(t);
    }
  });
  return { inputs, targets, spans: samples.map((s) => ({ start: s.answerStart, end: s.answerEnd })), rows };
}

export function maskedBatch(
  c: MaskedTaskConfig,
  rng: Rng,
  rows: number,
  seqLen: number,
  validation = false,
): MaskedBatch {
  return encodeBatch(
    Array.from({ length: rows }, () => maskedSample(c, rng, validation)),
    seqLen,
  );
}
