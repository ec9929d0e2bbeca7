import { headScores, type HeadRow } from '$probes/heads';
import { detectPeriod, type Period } from '$probes/scores/period';
import type { Tensor } from '$probes/tensor';

export type { HeadRow, Period };

/** The scores a view shows per head, and the period they were read with (null: no induction score). */
export interface RunScores {
  period: Period | null;
  heads: HeadRow[];
}

/**
 * Head scores of one run, by the probes' own functions: the period is the exact repeat detectPeriod finds in
 * the tokens (a text that is one block typed twice); without one only the previous-token score exists.
 */
export function runScores(patterns: Record<string, Tensor>, tokens: number[]): RunScores {
  const period = detectPeriod(tokens);
  return { period, heads: headScores(patterns, [tokens], period) };
}

/** The score row of one head, if the run has it. */
export function scoreOf(scores: RunScores | null, layer: number, head: number): HeadRow | undefined {
  return scores?.heads.find((h) => h.layer === layer && h.head === head);
}
