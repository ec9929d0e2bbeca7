import { readFileSync } from 'node:fs';
import { PYTORCH_REFERENCE_JSON } from '../../fixtures/paths';
import type { ConvWeight } from '../../../format/conv/conv-weight';

/** The PyTorch reference Conv-Attn model's raw conv weight [64][64][3] and its reference statistics. */
export const REFERENCE = JSON.parse(readFileSync(PYTORCH_REFERENCE_JSON, 'utf8'));

export function referenceWeight(masked: boolean): ConvWeight {
  const raw = REFERENCE.conv_stats.raw_weight_float32 as number[][][];
  const data = new Float32Array(64 * 64 * 3);
  raw.forEach((row, o) =>
    row.forEach((taps, i) =>
      taps.forEach((w, k) => (data[(o * 64 + i) * 3 + k] = masked && k === 2 ? 0 : w)),
    ),
  );
  return { out: 64, in: 64, kernel: 3, data, offsets: [-1, 0, 1] };
}
