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
 * D[i, j] = 1 iff j = i-1 (row 0 is empty; D[1, 0] points at BOS when there is one). Detection patterns are
 * 0/1 bytes: the same numbers as floats in every sum, an eighth of the memory (the page builds them for every
 * keystroke of a short text: 1.5 MB of float64 per keystroke at 256 tokens).
 */
export function previousTokenPattern(tokens: readonly number[]): Uint8Array {
  const T = tokens.length;
  const D = new Uint8Array(T * T);
  for (let i = 1; i < T; i++) D[i * T + i - 1] = 1;
  return D;
}

/** D[i, j] = 1 iff j < i and t_j = t_i (every earlier copy of the current token). */
export function duplicateTokenPattern(tokens: readonly number[]): Uint8Array {
  const T = tokens.length;
  const D = new Uint8Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 0; j < i; j++) if (tokens[j] === tokens[i]) D[i * T + j] = 1;
  return D;
}

/**
 * D[i, j] = 1 iff 1 <= j <= i and t_{j-1} = t_i: the token after each earlier copy. TransformerLens builds it
 * by rolling the duplicate pattern one column right, so an adjacent repeat t_{i-1} = t_i lands on the
 * diagonal (tokens [0, 5, 5] give D[2, 2] = 1), which exclude_current_token then removes.
 */
export function inductionPattern(tokens: readonly number[]): Uint8Array {
  const T = tokens.length;
  const D = new Uint8Array(T * T);
  for (let i = 0; i < T; i++) for (let j = 1; j <= i; j++) if (tokens[j - 1] === tokens[i]) D[i * T + j] = 1;
  return D;
}

export function detectionPattern(name: DetectionPattern, tokens: readonly number[]): Uint8Array {
  if (name === 'previous_token_head') return previousTokenPattern(tokens);
  if (name === 'duplicate_token_head') return duplicateTokenPattern(tokens);
  return inductionPattern(tokens);
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
