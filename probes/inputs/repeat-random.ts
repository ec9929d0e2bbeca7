import { UsageError } from '../../format/errors';
import { mulberry32 } from './prng';

/**
 * Repeated random tokens (PROBE_DEFINITIONS §2.2): each row is a random block of n tokens followed by the same
 * block again, optionally after a BOS. The induction score reads the diagonal i -> i-n+1 only, so a token that
 * repeats inside a block creates matches the score ignores; blocks are therefore drawn without replacement
 * whenever the vocabulary has n distinct tokens (it matters for tiny vocabularies: with V = 64 and n = 25 a
 * block drawn with replacement almost always repeats a token).
 */
export interface RepeatRandomOptions {
  /** Block length. */
  n: number;
  /** Rows in the batch. */
  batch: number;
  /** Token ids are drawn from [low, vocab). */
  vocab: number;
  low?: number;
  seed?: number;
  /** Draw tokens from these ids instead of [low, vocab) (e.g. the bytes of the lowercase letters). */
  alphabet?: number[];
  /** A token id to put in front of every row (ARENA's BOS layout), or none. */
  bos?: number | null;
}

export function repeatedRandomTokens({
  n,
  batch,
  vocab,
  low = 0,
  seed = 0,
  bos = null,
  alphabet,
}: RepeatRandomOptions): number[][] {
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`the block length must be a positive integer, got ${n}`);
  if (!Number.isInteger(batch) || batch < 1)
    throw new UsageError(`the batch must be a positive integer, got ${batch}`);
  const ids = alphabet ? [...new Set(alphabet)] : null;
  if (ids?.some((t) => !Number.isInteger(t) || t < 0 || t >= vocab))
    throw new UsageError(`the alphabet has token ids outside the vocabulary [0, ${vocab})`);
  const range = ids ? ids.length : vocab - low;
  if (range < 1) throw new UsageError(ids ? 'the alphabet is empty' : `no token ids in [${low}, ${vocab})`);
  const id = (i: number) => (ids ? ids[i] : low + i);
  const random = mulberry32(seed);
  const pick = (k: number) => Math.floor(random() * k);
  const rows: number[][] = [];
  for (let b = 0; b < batch; b++) {
    let block: number[];
    if (n <= range) {
      // Partial Fisher-Yates: the first n entries of a shuffle of the token ids.
      const pool = Array.from({ length: range }, (_, i) => id(i));
      for (let i = 0; i < n; i++) {
        const j = i + pick(range - i);
        [pool[i], pool[j]] = [pool[j], pool[i]];
      }
      block = pool.slice(0, n);
    } else {
      block = Array.from({ length: n }, () => id(pick(range)));
    }
    rows.push([...(bos === null ? [] : [bos]), ...block, ...block]);
  }
  return rows;
}
