import { UsageError } from '../format/errors';
import { PATTERN_RE } from '../format/manifest';
import { headMatrix } from './pattern';
import type { Tensor } from './tensor';
import {
  arenaInductionScore,
  detectBatchPeriod,
  detectionTargets,
  detectorScoreAt,
  patternTotal,
  usesPatternTotal,
  DETECTION_PATTERNS,
  detectPeriod,
  inductionScore,
  previousTokenScore,
  repeatsWithPeriod,
  type DetectionPattern,
  type DetectorOptions,
  type Period,
} from './scores/index';
import { prefixMatching } from './scores/prefix-matching';
import { longestRepeat, repeatAttention, type Repeat, type RepeatAttention } from './scores/repeat';

/**
 * The per-head score table of `smallscope probe heads`: every score of scores/ for every layer and head,
 * averaged over the batch (the mean of per-row scores; rows have equal length so this is also the mean over
 * all entries for the diagonal scores).
 */

export interface HeadRow {
  /** `L{layer}H{head}`. */
  name: string;
  layer: number;
  head: number;
  /** Clean induction score, `mean A[i, i-n+1]` over queries in the repeated copy; null without a period. */
  induction: number | null;
  /** The §2.2 clean score by its explicit name; the same number as `induction`. */
  induction_clean: number | null;
  /** ARENA-compatible score: the whole diagonal at offset 1-n, first-copy entries included. */
  induction_arena: number | null;
  /** Olsson prefix matching, reading (b): attention summed over every earlier copy's successor; null without a period. */
  prefix_matching: number | null;
  /** Olsson prefix matching, reading (c): only the most recent copy's successor. */
  prefix_matching_recent: number | null;
  /** `mean_{i>=1} A[i, i-1]`. */
  previous_token: number;
  /** TransformerLens duplicate_token_head score (with the detector options). */
  duplicate_token: number;
  /** TransformerLens head_detector scores for its three patterns (with the detector options). */
  detector: Record<DetectionPattern, number>;
}

/**
 * The row of a cross-attention head (output steps x input positions): every score of HeadRow needs a square
 * [.., T, T] pattern, so all are null and `note` says why.
 */
export interface CrossHeadRow {
  name: string;
  layer: number;
  head: number;
  induction: null;
  induction_clean: null;
  induction_arena: null;
  prefix_matching: null;
  prefix_matching_recent: null;
  previous_token: null;
  duplicate_token: null;
  detector: Record<DetectionPattern, null>;
  kind: 'cross';
  /** CROSS_NOTE. */
  note: string;
  /**
   * Cross attention only: per output step s, the attention mass on the input positions holding the letter
   * 'A' + s (byte 65 + s), the letter the counting task's step s counts (seed 004), averaged over the batch
   * rows holding that letter; null for a step whose letter no row holds (the counting task's last step, the
   * difference, has no letter of its own).
   */
  letter_mass: (number | null)[];
}

/**
 * The row of a head of the output steps' self attention (output step x output step, seed 004's `--self_att`):
 * no token scores either (its keys are not tokens), and OUTPUT_SELF_NOTE.
 */
export interface OutputSelfHeadRow extends Omit<CrossHeadRow, 'kind' | 'letter_mass'> {
  kind: 'output-self';
}

/**
 * A head's row in `probe heads` and the app: self attention (HeadRow), cross attention (CrossHeadRow), or the
 * output steps' self attention (OutputSelfHeadRow).
 */
export type AnyHeadRow = HeadRow | CrossHeadRow | OutputSelfHeadRow;

/** Why a cross-attention head has no scores (`HeadRow.note`). */
export const CROSS_NOTE =
  'cross attention (queries = output steps, keys = input positions): previous-token, induction, prefix-matching, duplicate-token and detector scores need a square [.., T, T] pattern and are null';

/** Why a head of the output steps' self attention has no scores. */
export const OUTPUT_SELF_NOTE =
  'self attention among the output steps (queries and keys = output steps, not tokens): no token scores';

export interface PeriodChoice extends Period {
  source: 'flag' | 'detected' | 'repeat-random';
}

/**
 * Where the induction period comes from: the caller's (flag or the repeat-random builder), else an exact
 * repeat found in the tokens. Returns the period (or null) and notes for the reader.
 */
export function choosePeriod(
  tokens: readonly (readonly number[])[],
  given: { n: number; source: 'flag' | 'repeat-random'; start?: number } | null,
): { period: PeriodChoice | null; notes: string[] } {
  const T = tokens[0].length;
  if (given) {
    // A BOS-led repeat of the same block length keeps its layout; otherwise the block starts at 0.
    const seen = detectPeriod(tokens[0]);
    const start = given.start ?? (seen && seen.n === given.n ? seen.start : 0);
    if (start + given.n >= T) {
      throw new UsageError(
        `a period of ${given.n} needs more than ${start + given.n} tokens per row (got ${T})`,
      );
    }
    const notes = repeatsWithPeriod(tokens, given.n, start)
      ? []
      : [
          `the tokens do not repeat with period ${given.n}; induction is read on the diagonal i -> i-${given.n - 1} anyway`,
        ];
    return { period: { n: given.n, start, source: given.source }, notes };
  }
  const found = detectBatchPeriod(tokens);
  if (found) return { period: { ...found, source: 'detected' }, notes: [] };
  return {
    period: null,
    notes: [
      'induction needs a period: the tokens are not one block repeated twice; give --period N or use --repeat-random N',
    ],
  };
}

/** Whether a pattern is cross attention: named in `cross` (taps with `kind: 'cross'`) or not square. */
const crossPattern = (name: string, p: Tensor, cross: ReadonlySet<string>) =>
  cross.has(name) || p.dims[2] !== p.dims[3];

/**
 * Whether a pattern is the output steps' self attention: named in `outputSelf` (taps with `kind:
 * 'output-self'`), or square over another number of positions than the tokens have.
 */
const outputSelfPattern = (
  name: string,
  p: Tensor,
  outputSelf: ReadonlySet<string>,
  tokens: readonly (readonly number[])[],
) => outputSelf.has(name) || (p.dims[2] === p.dims[3] && p.dims[3] !== tokens[0]?.length);

/**
 * Every head's row, in pattern order: HeadRow scores for self attention, a CrossHeadRow (null scores, the
 * note, `letter_mass`) for cross attention, an OutputSelfHeadRow for the output steps' self attention.
 * `cross`: names of cross-attention patterns (taps with `kind: 'cross'`); a non-square pattern is cross
 * attention whether named or not. `outputSelf`: names of the output steps' self-attention patterns (taps
 * with `kind: 'output-self'`); a square pattern over another number of positions than the tokens is one too.
 */
export function allHeadScores(
  patterns: Record<string, Tensor>,
  tokens: readonly (readonly number[])[],
  period: Period | null,
  options: DetectorOptions = {},
  cross: ReadonlySet<string> = new Set(),
  outputSelf: ReadonlySet<string> = new Set(),
): AnyHeadRow[] {
  const rows: AnyHeadRow[] = [];
  for (const [name, p] of Object.entries(patterns)) {
    if (outputSelfPattern(name, p, outputSelf, tokens)) {
      const layer = Number(PATTERN_RE.exec(name)?.[1] ?? rows.length);
      for (let h = 0; h < p.dims[1]; h++)
        rows.push({ ...noScores(layer, h), kind: 'output-self', note: OUTPUT_SELF_NOTE });
    } else if (crossPattern(name, p, cross)) {
      const layer = Number(PATTERN_RE.exec(name)?.[1] ?? rows.length);
      for (let h = 0; h < p.dims[1]; h++) rows.push(crossRow(p, h, layer, tokens));
    } else rows.push(...headScores({ [name]: p }, tokens, period, options, undefined, rows.length));
  }
  return rows;
}

/** A repeated passage of ordinary text and, per self-attention head, where its second copy looks. */
export interface RepeatScores extends Repeat {
  heads: ({ name: string } & RepeatAttention)[];
}

/**
 * For a text with no exact period but a passage that comes back (seed 002's paragraph), the longest repeated
 * run of at least `minLength` tokens in batch row 0 and each self-attention head's same-token and next-token
 * weight on its first copy (scores/repeat.ts); null when no run is that long. Heads are named as in
 * allHeadScores.
 */
export function repeatScores(
  patterns: Record<string, Tensor>,
  tokens: readonly (readonly number[])[],
  cross: ReadonlySet<string> = new Set(),
  outputSelf: ReadonlySet<string> = new Set(),
  minLength = 4,
): RepeatScores | null {
  const repeat = longestRepeat(tokens[0] ?? [], minLength);
  if (!repeat || repeat.length < 2) return null;
  const heads: RepeatScores['heads'] = [];
  let before = 0;
  for (const [name, p] of Object.entries(patterns)) {
    const layer = Number(PATTERN_RE.exec(name)?.[1] ?? before);
    before += p.dims[1];
    if (outputSelfPattern(name, p, outputSelf, tokens) || crossPattern(name, p, cross)) continue;
    const T = p.dims[2];
    for (let h = 0; h < p.dims[1]; h++)
      heads.push({ name: `L${layer}H${h}`, ...repeatAttention(headMatrix(p, 0, h), T, repeat)! });
  }
  return { ...repeat, heads };
}

/**
 * The scores of the self-attention heads (cross-attention patterns and the output steps' self attention, see
 * allHeadScores, are left out).
 */
export function headScores(
  patterns: Record<string, Tensor>,
  tokens: readonly (readonly number[])[],
  period: Period | null,
  options: DetectorOptions = {},
  cross: ReadonlySet<string> = new Set(),
  /** Rows before these (the layer index of a pattern without a canonical name). */
  before = 0,
): HeadRow[] {
  const rows: HeadRow[] = [];
  const detection = tokens.map((row) => DETECTION_PATTERNS.map((name) => detectionTargets(name, row)));
  const sharedTotal = usesPatternTotal(options);
  for (const [name, p] of Object.entries(patterns)) {
    if (crossPattern(name, p, cross) || outputSelfPattern(name, p, new Set(), tokens)) continue;
    const layer = Number(PATTERN_RE.exec(name)?.[1] ?? before + rows.length);
    const [B, H, T] = p.dims;
    for (let h = 0; h < H; h++) {
      const mean = (f: (A: Float32Array, b: number) => number) => {
        let s = 0;
        for (let b = 0; b < B; b++) s += f(headMatrix(p, b, h), b);
        return s / B;
      };
      // sum(A) per batch row: the detectors' common denominator when nothing is excluded.
      const totals = Array.from({ length: B }, (_, b) =>
        sharedTotal ? patternTotal(headMatrix(p, b, h), T) : undefined,
      );
      const induction = period ? mean((A) => inductionScore(A, T, period.n, period.start)) : null;
      const detector = Object.fromEntries(
        DETECTION_PATTERNS.map((d, i) => [
          d,
          mean((A, b) => detectorScoreAt(A, detection[b][i], T, options, totals[b])),
        ]),
      ) as Record<DetectionPattern, number>;
      rows.push({
        name: `L${layer}H${h}`,
        layer,
        head: h,
        induction,
        induction_clean: induction,
        induction_arena: period ? mean((A) => arenaInductionScore(A, T, period.n)) : null,
        prefix_matching: period ? mean((A) => prefixMatching(A, T, period.n, period.start).all_copies) : null,
        prefix_matching_recent: period
          ? mean((A) => prefixMatching(A, T, period.n, period.start).recent_copy)
          : null,
        previous_token: mean((A) => previousTokenScore(A, T)),
        duplicate_token: detector.duplicate_token_head,
        detector,
      });
    }
  }
  return rows;
}

/** The row of a cross-attention head: no square-pattern score, the note, and the per-step letter mass. */
function crossRow(p: Tensor, h: number, layer: number, tokens: readonly (readonly number[])[]): CrossHeadRow {
  const [B, , S, T] = p.dims;
  const letter_mass = Array.from({ length: S }, (_, s) => {
    const letter = 65 + s;
    let sum = 0;
    let n = 0;
    for (let b = 0; b < B; b++) {
      if (!tokens[b].includes(letter)) continue;
      const A = headMatrix(p, b, h);
      for (let k = 0; k < T; k++) if (tokens[b][k] === letter) sum += A[s * T + k];
      n++;
    }
    return n > 0 ? sum / n : null;
  });
  return { ...noScores(layer, h), kind: 'cross', note: CROSS_NOTE, letter_mass };
}

/** A head row whose every square-pattern score is null (cross attention, the output steps' self attention). */
function noScores(layer: number, h: number): Omit<OutputSelfHeadRow, 'kind' | 'note'> {
  return {
    name: `L${layer}H${h}`,
    layer,
    head: h,
    induction: null,
    induction_clean: null,
    induction_arena: null,
    prefix_matching: null,
    prefix_matching_recent: null,
    previous_token: null,
    duplicate_token: null,
    detector: Object.fromEntries(DETECTION_PATTERNS.map((d) => [d, null])) as Record<DetectionPattern, null>,
  };
}
