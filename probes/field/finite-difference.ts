import type { Runner } from '../runner';
import { objectiveValues, type Objective } from './objective';

/**
 * The gradient profile g(s) = || d y_t / d e_s ||_2 of one input row by central finite differences through
 * a runner over the model cut after its embedding (Runner.runEmbeddings): every coordinate j of every
 * embedding vector e_s at a position s in `positions` is moved by +eps and -eps, and
 * d y_t / d e_s[j] ~ (y(+) - y(-)) / (2 eps). Many perturbed copies of the row go into one batch (bounded by
 * `maxFloats` input values per run). Positions not listed are not run and stay exactly 0.
 */
export interface FiniteDifferenceOptions {
  output: string;
  position: number;
  positions: readonly number[];
  objective: Objective;
  eps: number;
  maxFloats?: number;
}

export async function gradientProfile(
  runner: Runner,
  embeddings: Float32Array,
  tokens: readonly number[],
  d: number,
  { output, position: t, positions, objective, eps, maxFloats = 1 << 22 }: FiniteDifferenceOptions,
): Promise<Float64Array> {
  if (!runner.runEmbeddings) throw new Error('the runner cannot run from embeddings');
  const T = tokens.length;
  const jobs: { s: number; j: number; sign: 1 | -1 }[] = [];
  for (const s of positions)
    for (let j = 0; j < d; j++) for (const sign of [1, -1] as const) jobs.push({ s, j, sign });
  const perRun = Math.max(2, Math.floor(maxFloats / (T * d)) & ~1);
  const sq = new Float64Array(T);
  const next = objective.kind === 'loss' ? tokens[t + 1] : null;
  for (let start = 0; start < jobs.length; start += perRun) {
    const chunk = jobs.slice(start, start + perRun);
    const batch = new Float32Array(chunk.length * T * d);
    chunk.forEach(({ s, j, sign }, r) => {
      batch.set(embeddings, r * T * d);
      batch[r * T * d + s * d + j] += sign * eps;
    });
    const out = await runner.runEmbeddings(
      { dims: [chunk.length, T, d], data: batch },
      [output],
      chunk.map(() => [...tokens]),
    );
    const y = objectiveValues(out[output], T, t, objective, next);
    for (let r = 0; r < chunk.length; r += 2) {
      const deriv = (y[r] - y[r + 1]) / (2 * eps);
      sq[chunk[r].s] += deriv * deriv;
    }
  }
  return sq.map(Math.sqrt);
}
