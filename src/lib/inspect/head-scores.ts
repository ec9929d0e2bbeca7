import { allHeadScores, repeatScores, type AnyHeadRow, type HeadRow, type RepeatScores } from '$probes/heads';
import { detectPeriod, type Period } from '$probes/scores/period';
import type { Tensor } from '$probes/tensor';

export type { AnyHeadRow, HeadRow, Period, RepeatScores };

/** The scores a view shows per head, and the period they were read with (null: no induction score). */
export interface RunScores {
  period: Period | null;
  /** Cross-attention heads (output step x input position) have null scores and a note. */
  heads: AnyHeadRow[];
  /**
   * Without a period: the longest passage that comes back and each head's weight on its first copy (same token,
   * next token), as `probe heads --text` prints it; null when there is a period or no repeat of 4+ tokens.
   */
  repeat: RepeatScores | null;
}

/**
 * Head scores of one run, by the probes' own functions: the period is the exact repeat detectPeriod finds in
 * the tokens (a text that is one block typed twice); without one only the previous-token score exists.
 * `cross`, `outputSelf`: names of the cross-attention and output self-attention patterns (their heads get
 * null scores).
 */
export function runScores(
  patterns: Record<string, Tensor>,
  tokens: number[],
  cross: ReadonlySet<string> = new Set(),
  outputSelf: ReadonlySet<string> = new Set(),
): RunScores {
  const period = detectPeriod(tokens);
  return {
    period,
    heads: allHeadScores(patterns, [tokens], period, {}, cross, outputSelf),
    repeat: period ? null : repeatScores(patterns, [tokens], cross, outputSelf),
  };
}

/** The cross-attention patterns of a run's maps, by canonical name (for runScores). */
export function crossNames(maps: readonly { canonical: string; cross: boolean }[]): Set<string> {
  return new Set(maps.filter((m) => m.cross).map((m) => m.canonical));
}

/** The output steps' self-attention patterns of a run's maps, by canonical name (for runScores). */
export function outputSelfNames(maps: readonly { canonical: string; outputSelf?: boolean }[]): Set<string> {
  return new Set(maps.filter((m) => m.outputSelf).map((m) => m.canonical));
}

/** The score row of one head, if the run has it. */
export function scoreOf(scores: RunScores | null, layer: number, head: number): AnyHeadRow | undefined {
  return scores?.heads.find((h) => h.layer === layer && h.head === head);
}
