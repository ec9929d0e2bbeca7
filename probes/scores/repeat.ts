/**
 * Attention on a repeated passage in ordinary text (seed 002's test: a paragraph whose first sentence comes back
 * at its end). Induction scores need one block typed twice (period.ts); a text with other words between the two
 * copies has no period, yet the seed's question stands: when the passage comes back, how much does a head
 * attend to its first copy, and where?
 *
 * For each query in the second copy (its first token excepted: the token before it is not part of the repeat),
 * the weight on the same token of the first copy (aligned: a duplicate-token / smeared-key match, offset
 * `offset` back) and on the token after it (next: what an induction head attends to, offset `offset - 1`).
 */

/** The longest run of tokens that occurs twice: first copy at `start`, second at `start + offset`. */
export interface Repeat {
  start: number;
  offset: number;
  length: number;
}

/**
 * The longest repeated run of at least `minLength` tokens (ties: the earliest start, then the smallest offset),
 * or null. O(T^2): one pass per offset.
 */
export function longestRepeat(tokens: readonly number[], minLength = 4): Repeat | null {
  let best: Repeat | null = null;
  const T = tokens.length;
  for (let offset = 1; offset < T; offset++) {
    let run = 0;
    for (let i = 0; i + offset < T; i++) {
      run = tokens[i] === tokens[i + offset] ? run + 1 : 0;
      const start = i - run + 1;
      if (run >= minLength && (!best || run > best.length || (run === best.length && start < best.start)))
        best = { start, offset, length: run };
    }
  }
  return best;
}

export interface RepeatAttention {
  /** Mean weight of the second copy's queries on the same token of the first copy. */
  same_token: number;
  /** Mean weight on the token after it (the induction target). */
  next_token: number;
}

/**
 * Mean attention of the repeat's queries q = start + offset + 1 .. start + offset + length - 1 on keys q - offset
 * (same token) and q - offset + 1 (next token), for one head's row-major T x T pattern. Null for a repeat of one
 * token (no query to score).
 */
export function repeatAttention(A: ArrayLike<number>, T: number, r: Repeat): RepeatAttention | null {
  const first = r.start + r.offset + 1;
  const last = r.start + r.offset + r.length - 1;
  if (last < first) return null;
  let same = 0;
  let next = 0;
  for (let q = first; q <= last; q++) {
    same += A[q * T + q - r.offset];
    next += A[q * T + q - r.offset + 1];
  }
  const n = last - first + 1;
  return { same_token: same / n, next_token: next / n };
}
