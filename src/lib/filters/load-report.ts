import { findAttention, type AttentionTap } from '$probes/attention';
import { filtersReport, type ConvReport } from '$probes/filters/conv-report';
import type { Manifest } from '../../../format/manifest';
import { decodeModel } from '../../../format/onnx/model';
import { loadCheckpointBytes } from '$lib/source/checkpoint-ref';

export type { ConvReport };

/**
 * The `smallscope probe filters` report (and the manifest, for figure captions) of a checkpoint, computed in the browser from the weights (no model
 * run): the same function the command line calls, on the same bytes.
 */
export async function loadFilters(ckpt: string): Promise<{ convs: ConvReport[]; manifest: Manifest | null }> {
  const model = decodeModel(await loadCheckpointBytes(ckpt));
  let taps: AttentionTap[] = [];
  try {
    taps = findAttention(model).taps;
  } catch {
    taps = []; // a conv-only model: S3-S7 are left out with a note
  }
  return { ...filtersReport(model, taps), manifest: model.manifest ?? null };
}

/** One tap's [out][in] weights as a row-major matrix (out rows, in columns), |w| or signed. */
export function tapMatrix(weight: number[][][], tap: number, abs: boolean): Float32Array {
  const out = weight.length;
  const inn = weight[0]?.length ?? 0;
  const m = new Float32Array(out * inn);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inn; i++) {
      const w = weight[o][i][tap];
      m[o * inn + i] = abs ? Math.abs(w) : w;
    }
  return m;
}

/** Every weight of one tap, flat (for its histogram). */
export function tapValues(weight: number[][][], tap: number): number[] {
  return weight.flatMap((row) => row.map((w) => w[tap]));
}

/** Largest |w| of the conv: one colour scale for all its taps, so taps compare by colour. */
export function maxAbs(weight: number[][][]): number {
  let m = 0;
  for (const row of weight) for (const taps of row) for (const w of taps) m = Math.max(m, Math.abs(w));
  return m;
}
