import { UsageError } from '../../format/errors';
import type { Tensor } from '../tensor';

/**
 * What y_t is for the gradient profile: `sum` of the model output vector at position t (default), `logit:K`
 * (one entry K of it), or `loss`: the cross-entropy of predicting the next token x_{t+1} from the output at t
 * read as logits.
 */
export type Objective = { kind: 'sum' } | { kind: 'logit'; k: number } | { kind: 'loss' };

export function parseObjective(s: string): Objective {
  if (s === 'sum') return { kind: 'sum' };
  if (s === 'loss') return { kind: 'loss' };
  const m = /^logit:(\d+)$/.exec(s);
  if (m) return { kind: 'logit', k: Number(m[1]) };
  throw new UsageError(`unknown objective '${s}': use sum, logit:K (K an output index) or loss`);
}

export function objectiveName(o: Objective): string {
  return o.kind === 'logit' ? `logit:${o.k}` : o.kind;
}

/**
 * Read y_t for every row of a fetched output, [rows, T, K] (position-major, as logits) or [rows, K, T]
 * (channel-first, as a conv output). `next` is the token at t+1 for `loss`.
 */
export function objectiveValues(
  out: Tensor,
  T: number,
  t: number,
  o: Objective,
  next: number | null,
): Float64Array {
  const [rows] = out.dims;
  const channelFirst = out.dims.length === 3 && out.dims[1] !== T && out.dims[2] === T;
  if (out.dims.length !== 3 || (!channelFirst && out.dims[1] !== T)) {
    throw new UsageError(
      `the output has shape [${out.dims}]; probe field needs [batch, pos, k] or [batch, k, pos]`,
    );
  }
  const K = channelFirst ? out.dims[1] : out.dims[2];
  if (o.kind === 'logit' && o.k >= K) throw new UsageError(`logit:${o.k} is past the output's ${K} entries`);
  const at = (r: number, k: number) =>
    channelFirst ? out.data[(r * K + k) * T + t] : out.data[(r * T + t) * K + k];
  const values = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    if (o.kind === 'logit') values[r] = at(r, o.k);
    else if (o.kind === 'sum') {
      let s = 0;
      for (let k = 0; k < K; k++) s += at(r, k);
      values[r] = s;
    } else {
      let max = -Infinity;
      for (let k = 0; k < K; k++) max = Math.max(max, at(r, k));
      let z = 0;
      for (let k = 0; k < K; k++) z += Math.exp(at(r, k) - max);
      values[r] = Math.log(z) + max - at(r, next!);
    }
  }
  return values;
}
