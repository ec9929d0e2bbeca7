import type { Runner } from '../runner';
import type { Tensor } from '../tensor';
import { objectiveValues, type Objective } from './objective';

/**
 * Gradients of one input row by central finite differences through a runner over the model cut after its
 * embedding (Runner.runEmbeddings): every coordinate j of every embedding vector e_s at a position s in
 * `positions` is moved by +eps and -eps, and d y / d e_s[j] ~ (y(+) - y(-)) / (2 eps). Many perturbed copies
 * of the row go into one batch (bounded by `maxFloats` input values per run). Positions not listed are not
 * run and stay exactly 0. The fallback for graphs whose ops are not all differentiated exactly.
 */
export interface FiniteDifferenceOptions {
  output: string;
  position: number;
  positions: readonly number[];
  objective: Objective;
  eps: number;
  maxFloats?: number;
}

export interface GradientOptions {
  output: string;
  positions: readonly number[];
  /** y for every row of a batch of the fetched output */
  value: (out: Tensor) => Float64Array;
  eps: number;
  maxFloats?: number;
}

/** d y / d e [pos, d] (row-major) of one row; y read from the fetched output by `value`. */
export async function finiteDifferenceGradient(
  runner: Runner,
  embeddings: Float32Array,
  tokens: readonly number[],
  d: number,
  { output, positions, value, eps, maxFloats = 1 << 22 }: GradientOptions,
): Promise<Float64Array> {
  if (!runner.runEmbeddings) throw new Error('the runner cannot run from embeddings');
  const T = tokens.length;
  const jobs: { s: number; j: number; sign: 1 | -1 }[] = [];
  for (const s of positions)
    for (let j = 0; j < d; j++) for (const sign of [1, -1] as const) jobs.push({ s, j, sign });
  const perRun = Math.max(2, Math.floor(maxFloats / (T * d)) & ~1);
  const grad = new Float64Array(T * d);
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
    const y = value(out[output]);
    for (let r = 0; r < chunk.length; r += 2)
      grad[chunk[r].s * d + chunk[r].j] = (y[r] - y[r + 1]) / (2 * eps);
  }
  return grad;
}

/** The gradient profile g(s) = || d y_t / d e_s ||_2 of one row, y_t = `objective` at position t. */
export async function gradientProfile(
  runner: Runner,
  embeddings: Float32Array,
  tokens: readonly number[],
  d: number,
  { output, position: t, positions, objective, eps, maxFloats }: FiniteDifferenceOptions,
): Promise<Float64Array> {
  const T = tokens.length;
  const next = objective.kind === 'loss' ? tokens[t + 1] : null;
  const grad = await finiteDifferenceGradient(runner, embeddings, tokens, d, {
    output,
    positions,
    value: (out) => objectiveValues(out, T, t, objective, next),
    eps,
    maxFloats,
  });
  return rowNorms(grad, T, d);
}

/** g(s) = || grad[s, :] ||_2 of a [pos, d] row-major gradient: the field's profile, however it was computed. */
export function rowNorms(grad: ArrayLike<number>, T: number, d: number): Float64Array {
  const norms = new Float64Array(T);
  for (let s = 0; s < T; s++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += grad[s * d + j] ** 2;
    norms[s] = Math.sqrt(sq);
  }
  return norms;
}
