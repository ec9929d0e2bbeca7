import { describe, expect, it } from 'vitest';
import { repeatedRandomTokens } from '../../../probes/inputs/repeat-random';
import { detectBatchPeriod } from '../../../probes/scores/period';

describe('repeated random tokens (--repeat-random N)', () => {
  it('builds rows of a block followed by the same block', () => {
    const rows = repeatedRandomTokens({ n: 20, batch: 4, vocab: 256, seed: 1 });
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).toHaveLength(40);
      expect(row.slice(20)).toEqual(row.slice(0, 20));
    }
    expect(detectBatchPeriod(rows)).toEqual({ n: 20, start: 0 });
  });

  it('is reproducible from its seed and changes with it', () => {
    const a = repeatedRandomTokens({ n: 10, batch: 2, vocab: 256, seed: 7 });
    expect(repeatedRandomTokens({ n: 10, batch: 2, vocab: 256, seed: 7 })).toEqual(a);
    expect(repeatedRandomTokens({ n: 10, batch: 2, vocab: 256, seed: 8 })).not.toEqual(a);
  });

  it('samples each block without replacement, even from a tiny vocabulary', () => {
    for (const row of repeatedRandomTokens({ n: 8, batch: 50, vocab: 8, seed: 3 })) {
      expect(new Set(row.slice(0, 8)).size).toBe(8);
      expect(row.every((t) => t >= 0 && t < 8)).toBe(true);
    }
  });

  it('falls back to sampling with replacement when the block is longer than the vocabulary', () => {
    const [row] = repeatedRandomTokens({ n: 10, batch: 1, vocab: 4, seed: 0 });
    expect(row.every((t) => t >= 0 && t < 4)).toBe(true);
  });

  it('can put a BOS in front (the ARENA layout, T = 2n + 1)', () => {
    const [row] = repeatedRandomTokens({ n: 3, batch: 1, vocab: 50, low: 1, seed: 0, bos: 0 });
    expect(row[0]).toBe(0);
    expect(row).toHaveLength(7);
    expect(detectBatchPeriod([row])).toEqual({ n: 3, start: 1 });
  });
});

describe('repeated random tokens from an alphabet', () => {
  it('draws every block from the given ids, without replacement when the alphabet is large enough', () => {
    const letters = Array.from({ length: 26 }, (_, i) => 97 + i);
    const rows = repeatedRandomTokens({ n: 20, batch: 16, vocab: 256, alphabet: letters, seed: 1 });
    expect(rows).toHaveLength(16);
    for (const r of rows) {
      expect(r).toHaveLength(40);
      expect(r.every((t) => t >= 97 && t <= 122)).toBe(true);
      expect(new Set(r.slice(0, 20)).size).toBe(20);
      expect(r.slice(20)).toEqual(r.slice(0, 20));
    }
  });

  it('refuses alphabet ids outside the vocabulary', () => {
    expect(() => repeatedRandomTokens({ n: 3, batch: 1, vocab: 64, alphabet: [97] })).toThrow(
      /outside the vocabulary/,
    );
  });
});
