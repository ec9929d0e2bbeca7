import { pythonRound3 } from './python-round';

/**
 * TransformerLens `head_detector` semantics (PROBE_DEFINITIONS §2.1): a 0/1 detection pattern D built from
 * the tokens, compared with a head's pattern A. Matrices are row-major T×T (query rows, key columns).
 */

export type DetectionPattern = 'previous_token_head' | 'duplicate_token_head' | 'induction_head';
export const DETECTION_PATTERNS: readonly DetectionPattern[] = [
  'previous_token_head',
  'duplicate_token_head',
  'induction_head',
];

/**
 * A detection pattern's 1s as flat row-major indices i*T + j, ascending (row by row, columns in order). A
 * pattern over a T-token text has about T^2 / (2 * vocabulary) of them, so a 2048-token text of English is scored
 * from ~10^5 entries instead of three dense 4M-entry masks (the page does it on every keystroke).
 */
export type DetectionTargets = Float64Array;

/** D[i, j] = 1 iff j = i-1 (row 0 is empty; D[1, 0] points at BOS when there is one). */
export function previousTokenTargets(tokens: readonly number[]): DetectionTargets {
  const T = tokens.length;
  return Float64Array.from({ length: Math.max(0, T - 1) }, (_, r) => (r + 1) * T + r);
}

/**
 * Earlier positions of each token value, for the two patterns built from earlier copies. Counted first, then
 * written into an array of that size: pushing ~10^5 indices onto a JS array and copying it with
 * Float64Array.from took ~13 ms for the two patterns at 2048 tokens (on every keystroke of the page).
 */
function copyTargets(tokens: readonly number[], shift: 0 | 1): DetectionTargets {
  const T = tokens.length;
  const positions = new Map<number, number[]>(); // every position of each value, ascending
  const before = new Int32Array(T); // how many copies of t_i come before i
  let n = 0;
  for (let i = 0; i < T; i++) {
    const at = positions.get(tokens[i]);
    if (at) {
      before[i] = at.length;
      n += at.length;
      at.push(i);
    } else positions.set(tokens[i], [i]);
  }
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < T; i++) {
    const at = positions.get(tokens[i])!;
    for (let c = 0; c < before[i]; c++) out[k++] = i * T + at[c] + shift;
  }
  return out;
}

/** D[i, j] = 1 iff j < i and t_j = t_i (every earlier copy of the current token). */
export const duplicateTokenTargets = (tokens: readonly number[]): DetectionTargets => copyTargets(tokens, 0);

/**
 * D[i, j] = 1 iff 1 <= j <= i and t_{j-1} = t_i: the token after each earlier copy. TransformerLens builds it
 * by rolling the duplicate pattern one column right, so an adjacent repeat t_{i-1} = t_i lands on the
 * diagonal (tokens [0, 5, 5] give D[2, 2] = 1), which exclude_current_token then removes.
 */
export const inductionTargets = (tokens: readonly number[]): DetectionTargets => copyTargets(tokens, 1);

export function detectionTargets(name: DetectionPattern, tokens: readonly number[]): DetectionTargets {
  if (name === 'previous_token_head') return previousTokenTargets(tokens);
  if (name === 'duplicate_token_head') return duplicateTokenTargets(tokens);
  return inductionTargets(tokens);
}

/** The dense T x T 0/1 pattern of some targets (bytes: the same numbers as floats in every sum). */
export function densePattern(targets: DetectionTargets, T: number): Uint8Array {
  const D = new Uint8Array(T * T);
  for (const k of targets) D[k] = 1;
  return D;
}

export const previousTokenPattern = (tokens: readonly number[]) =>
  densePattern(previousTokenTargets(tokens), tokens.length);
export const duplicateTokenPattern = (tokens: readonly number[]) =>
  densePattern(duplicateTokenTargets(tokens), tokens.length);
export const inductionPattern = (tokens: readonly number[]) =>
  densePattern(inductionTargets(tokens), tokens.length);

export function detectionPattern(name: DetectionPattern, tokens: readonly number[]): Uint8Array {
  return densePattern(detectionTargets(name, tokens), tokens.length);
}

export interface DetectorOptions {
  errorMeasure?: 'mul' | 'abs';
  /** Ignore attention to position 0 (the BOS). */
  excludeBos?: boolean;
  /** Ignore attention of each position to itself. */
  excludeCurrentToken?: boolean;
}

/**
 * `compute_head_attention_similarity_score`.
 * mul: sum(A'·D) / sum(A'), A' = A with the excluded entries zeroed. It is not normalised per row: rows
 *      without any target still count in the denominator (a perfect induction head on [BOS, r, r] scores
 *      n/(2n+1) unless BOS is excluded).
 * abs: 1 - round(mean(E)·T, 3), E = |A - D| with the excluded entries zeroed; Python's round (half to even).
 * A is copied, never written: TransformerLens mutates its cached pattern in place here.
 */
export function detectorScore(
  A: ArrayLike<number>,
  D: ArrayLike<number>,
  T: number,
  { errorMeasure = 'mul', excludeBos = false, excludeCurrentToken = false }: DetectorOptions = {},
): number {
  const excluded = (i: number, j: number) => (excludeBos && j === 0) || (excludeCurrentToken && i === j);
  if (errorMeasure === 'mul' && !excludeBos && !excludeCurrentToken) {
    // Nothing excluded (the default): the same sums in the same order, as one flat loop (the page scores
    // every head on each keystroke; the per-entry exclusion test made this loop several times slower).
    let num = 0;
    let den = 0;
    for (let k = 0, n = T * T; k < n; k++) {
      num += A[k] * D[k];
      den += A[k];
    }
    return num / den;
  }
  if (errorMeasure === 'mul') {
    let num = 0;
    let den = 0;
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        if (excluded(i, j)) continue;
        num += A[i * T + j] * D[i * T + j];
        den += A[i * T + j];
      }
    }
    return num / den;
  }
  let sum = 0;
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) if (!excluded(i, j)) sum += Math.abs(A[i * T + j] - D[i * T + j]);
  }
  // Same operation order as torch: the mean over T*T entries, then times T.
  return 1 - pythonRound3((sum / (T * T)) * T);
}

/** Whether detectorScoreAt's denominator is sum(A) (patternTotal) under these options, the same for every pattern. */
export const usesPatternTotal = (o: DetectorOptions): boolean =>
  (o.errorMeasure ?? 'mul') === 'mul' && !o.excludeBos && !o.excludeCurrentToken;

/** sum(A) in row-major order: detectorScoreAt's denominator with nothing excluded, shared by the patterns. */
export function patternTotal(A: ArrayLike<number>, T: number): number {
  let den = 0;
  for (let k = 0, n = T * T; k < n; k++) den += A[k];
  return den;
}

/**
 * detectorScore from the pattern's targets, bit for bit the same number: with `mul`, the dense sum adds
 * A·0 = 0 at every other entry, which leaves a float sum unchanged, so summing A over the targets in the same
 * order gives the same numerator; the denominator is the same loop (`total`, from patternTotal, when nothing
 * is excluded). `abs` reads every entry anyway and goes through the dense pattern.
 */
export function detectorScoreAt(
  A: ArrayLike<number>,
  targets: DetectionTargets,
  T: number,
  options: DetectorOptions = {},
  total?: number,
): number {
  const { errorMeasure = 'mul', excludeBos = false, excludeCurrentToken = false } = options;
  if (errorMeasure !== 'mul') return detectorScore(A, densePattern(targets, T), T, options);
  const excluded = (k: number) => {
    const i = Math.floor(k / T);
    const j = k - i * T;
    return (excludeBos && j === 0) || (excludeCurrentToken && i === j);
  };
  const exclusions = !usesPatternTotal(options);
  let num = 0;
  for (const k of targets) if (!exclusions || !excluded(k)) num += A[k];
  let den = 0;
  if (!exclusions) den = total ?? patternTotal(A, T);
  else
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++)
        if (!(excludeBos && j === 0) && !(excludeCurrentToken && i === j)) den += A[i * T + j];
  return num / den;
}
