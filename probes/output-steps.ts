import { headMatrix } from './pattern';
import type { Tensor } from './tensor';

/**
 * Seed 004's printed views of attention whose queries are output steps (greentfrapp/attention-primer,
 * 2_difference `--test`), from our [batch, head, output step, key] patterns:
 *
 *   Output step 0 attended mainly to input steps: [0 2 3]      cross attention (keys = input positions)
 *   [0.186, 0.085, 0.186, ...]
 *   Attention of output step 3:                                the output steps' self attention
 *   [0.003, 0.627, 0.002, 0.368]
 *
 * "Mainly" is the seed's np.where(w >= max(w)): every key at the row's largest weight. The model has no
 * position information, so equal tokens get equal weights; onnxruntime's blocked matmuls may still round them
 * a few ulps apart, hence ties within TIE.
 */
export const TIE = 1e-6;

export interface StepAttention {
  /** Output step (query row). */
  step: number;
  /** Keys at the row's largest weight (within TIE), ascending. */
  mainly: number[];
  /** The row: weight on every key. */
  weights: number[];
}

/** Every output step's row of head h of batch row b of a [batch, head, output step, key] pattern. */
export function stepAttention(p: Tensor, b: number, h: number): StepAttention[] {
  const [, , S, K] = p.dims;
  const A = headMatrix(p, b, h);
  return Array.from({ length: S }, (_, step) => {
    const weights = Array.from(A.subarray(step * K, (step + 1) * K));
    const max = Math.max(...weights);
    const mainly = weights.flatMap((w, k) => (w >= max - TIE ? [k] : []));
    return { step, mainly, weights };
  });
}

/** Python's print of `[float("{:.3f}".format(w)) for w in row]`: `[0.186, 0.08, 1.0, 0.0]`. */
export function seedWeights(row: readonly number[]): string {
  const py = (w: number) => {
    const s = String(Number(w.toFixed(3)) + 0); // + 0: -0 prints as 0
    return /[.e]/.test(s) ? s : `${s}.0`;
  };
  return `[${row.map(py).join(', ')}]`;
}

/** The seed's lines for one head of one input: cross attention or the output steps' self attention. */
export function seedView(kind: 'cross' | 'output-self', steps: readonly StepAttention[]): string[] {
  return steps.flatMap((s) => [
    kind === 'cross'
      ? `Output step ${s.step} attended mainly to input steps: [${s.mainly.join(' ')}]`
      : `Attention of output step ${s.step}:`,
    seedWeights(s.weights),
  ]);
}

/** The predicted class of every output step (argmax over the last axis of logits [batch, out_steps, classes]). */
export function predictedClasses(logits: Tensor): number[][] {
  const [B, S, K] = logits.dims;
  return Array.from({ length: B }, (_, b) =>
    Array.from({ length: S }, (_, s) => {
      const row = logits.data.subarray((b * S + s) * K, (b * S + s + 1) * K);
      let best = 0;
      for (let k = 1; k < K; k++) if (row[k] > row[best]) best = k;
      return best;
    }),
  );
}
