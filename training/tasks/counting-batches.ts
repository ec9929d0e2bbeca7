import type { Rng } from '../random';
import { countingSample, type CountingConfig } from './counting';
import type { MaskedBatch } from './masked-batches';

/**
 * Counting batches: input bytes [rows, length] (letters and spaces), targets [rows, letters + 1] = the counts
 * and the difference as class ids. Every output step is "the answer", so mask error = wrong output steps and
 * sample error = inputs with any wrong step.
 */
export function countingBatch(c: CountingConfig, rng: Rng, rows: number): MaskedBatch {
  const S = c.letters + 1;
  const inputs = new Int32Array(rows * c.length);
  const targets = new Int32Array(rows * S);
  for (let r = 0; r < rows; r++) {
    const s = countingSample(c, rng);
    for (let t = 0; t < c.length; t++) inputs[r * c.length + t] = s.input.charCodeAt(t);
    s.target.forEach((v, i) => (targets[r * S + i] = v));
  }
  return {
    inputs,
    targets,
    rows,
    spans: Array.from({ length: rows }, () => ({ start: 0, end: S })),
    targetLen: S,
  };
}
