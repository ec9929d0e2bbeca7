/**
 * The period of an input made of one block repeated twice, so induction can be scored without a `--period`:
 * tokens = [start leading tokens] + block + block, with start 0 (plain) or 1 (a BOS-like first token).
 * Returns null when the row is not an exact repeat.
 */
export interface Period {
  /** Block length. */
  n: number;
  /** Tokens before the first copy (1 when a BOS leads). */
  start: number;
}

export function detectPeriod(tokens: readonly number[]): Period | null {
  for (const start of [0, 1]) {
    const rest = tokens.length - start;
    if (rest < 2 || rest % 2 !== 0) continue;
    const n = rest / 2;
    let same = true;
    for (let i = start; i < start + n && same; i++) same = tokens[i] === tokens[i + n];
    if (same) return { n, start };
  }
  return null;
}

/** The common period of a batch: every row must be the same kind of repeat, else null. */
export function detectBatchPeriod(rows: readonly (readonly number[])[]): Period | null {
  const periods = rows.map(detectPeriod);
  const first = periods[0];
  if (!first) return null;
  return periods.every((p) => p && p.n === first.n && p.start === first.start) ? first : null;
}

/** Whether every row repeats with period n after `start` (x[i] = x[i-n] for i >= start+n). */
export function repeatsWithPeriod(rows: readonly (readonly number[])[], n: number, start = 0): boolean {
  return rows.every((row) => row.every((t, i) => i < start + n || t === row[i - n]));
}
