import { UsageError } from '../../format/errors';
import type { Tensor } from '../tensor';

/**
 * In-context-learning score (PROBE_DEFINITIONS §2.3.6): ICL = L(late) - L(early), where L(i) is the mean over
 * the batch of -log p(x_i | x_<i) for the i-th token of the context, 1-based (so L(i) reads the logits at
 * 0-based position i-2 and the token at i-1). Negative means the model predicts later tokens better: the
 * sign of Olsson et al.'s Key Concepts; `paper_prose` = L(early) - L(late) is Argument 1's sign (~ +0.4 nats
 * after the phase change). Defaults follow the paper: the 50th and the 500th token.
 */
export interface IclScore {
  early: number;
  late: number;
  loss_early: number;
  loss_late: number;
  /** L(late) - L(early) */
  icl: number;
  /** L(early) - L(late) */
  icl_paper_prose: number;
}

/** Per-token loss [batch][T-1]: entry p is the loss of predicting token p+1 from the logits at p. */
export function perTokenLoss(logits: Tensor, tokens: readonly (readonly number[])[]): Float64Array[] {
  const [B, T, V] = logits.dims;
  if (tokens.length !== B || tokens[0].length !== T) throw new Error('logits do not match the tokens');
  return tokens.map((row, b) => {
    const out = new Float64Array(T - 1);
    for (let p = 0; p < T - 1; p++) {
      const base = (b * T + p) * V;
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, logits.data[base + v]);
      let z = 0;
      for (let v = 0; v < V; v++) z += Math.exp(logits.data[base + v] - max);
      out[p] = Math.log(z) + max - logits.data[base + row[p + 1]];
    }
    return out;
  });
}

/** L(i) with i the 1-based token index (i >= 2). */
export function lossAt(losses: readonly Float64Array[], i: number): number {
  return losses.reduce((s, row) => s + row[i - 2], 0) / losses.length;
}

export function iclFromLosses(early: number, late: number, lossEarly: number, lossLate: number): IclScore {
  return {
    early,
    late,
    loss_early: lossEarly,
    loss_late: lossLate,
    icl: lossLate - lossEarly,
    icl_paper_prose: lossEarly - lossLate,
  };
}

/**
 * Resolve the positions for a context of T tokens: flags must satisfy 2 <= early < late <= T; the paper's
 * defaults (50, 500) are clipped to the context with a note.
 */
export function iclPositions(
  T: number,
  given: { early?: number; late?: number },
): { early: number; late: number; notes: string[] } | { notes: string[] } {
  const notes: string[] = [];
  for (const [flag, v] of [
    ['--icl-early', given.early],
    ['--icl-late', given.late],
  ] as const) {
    if (v !== undefined && (v < 2 || v > T)) {
      throw new UsageError(`${flag} ${v} is outside the context: use a token index in 2..${T} (1-based)`);
    }
  }
  let late = given.late ?? 500;
  let early = given.early ?? 50;
  if (given.late === undefined && late > T) {
    late = T;
    notes.push(`ICL: the context has ${T} tokens, so the late token is the ${T}th instead of the 500th`);
  }
  if (given.early === undefined && early >= late) {
    early = Math.max(2, Math.floor(late / 10));
    notes.push(`ICL: early token moved to the ${early}th to stay before the late one`);
  }
  if (early >= late) {
    if (given.early !== undefined && given.late !== undefined)
      throw new UsageError(`--icl-early (${early}) must be below --icl-late (${late})`);
    return { notes: [...notes, `ICL: not measured, the context (${T} tokens) is too short`] };
  }
  return { early, late, notes };
}

export function iclScore(
  logits: Tensor,
  tokens: readonly (readonly number[])[],
  early: number,
  late: number,
): IclScore {
  const losses = perTokenLoss(logits, tokens);
  return iclFromLosses(early, late, lossAt(losses, early), lossAt(losses, late));
}
