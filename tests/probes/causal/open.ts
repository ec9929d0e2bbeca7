import { readFileSync } from 'node:fs';
import { findAttention } from '../../../probes/attention';
import { prepareCausal, type CausalModel } from '../../../probes/causal/causal-model';
import { vocabSize } from '../../../probes/onnx/embedding';
import type { Runner } from '../../../probes/runner';
import { createNodeRunner } from '../../../runtime/node/ort-node';

/** A model file or bytes gated for the causal probes, with an onnxruntime-node runner over it. */
export async function openCausal(
  file: string | Uint8Array,
  opts: { dla?: boolean } = {},
): Promise<{ model: CausalModel; runner: Runner }> {
  const bytes = typeof file === 'string' ? new Uint8Array(readFileSync(file)) : file;
  const found = findAttention(bytes);
  const model = prepareCausal(found, vocabSize(found.model), opts);
  return { model, runner: await createNodeRunner(found.model, model.bytes) };
}

/** Largest |a - b| over two nested arrays of the same shape. */
export function maxDiff(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, x, i) => Math.max(m, maxDiff(x, b[i])), 0);
  }
  return typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) : Infinity;
}
