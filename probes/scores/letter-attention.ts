import { headMatrix } from '../pattern';
import type { Tensor } from '../tensor';

/**
 * Seed 004's reading of its counting model: output step s counts the letter 'A' + s (byte 65 + s), and the seed
 * prints each step's attention over the input to show that it "attended mainly to" that letter's positions.
 * For a cross-attention pattern [batch, head, output step, input position] this gives, per output step that has
 * a letter, averaged over the rows that hold the letter (and, for `other`, some other token):
 *
 *  - `own`: the mean weight on one position of the step's letter (the seed's 0.186 on each A);
 *  - `other`: the mean weight on one position holding anything else;
 *  - `argmax`: the fraction of those rows whose largest weight is on a position of the letter.
 */
export interface LetterAttention {
  step: number;
  letter: string;
  rows: number;
  own: number;
  other: number | null;
  argmax: number;
}

export function letterAttention(
  pattern: Tensor,
  tokens: readonly (readonly number[])[],
  letters: number,
  head = 0,
): LetterAttention[] {
  const [B, , S, T] = pattern.dims;
  const out: LetterAttention[] = [];
  for (let s = 0; s < Math.min(S, letters); s++) {
    const letter = 65 + s;
    let rows = 0;
    let own = 0;
    let other = 0;
    let otherRows = 0;
    let hits = 0;
    for (let b = 0; b < B; b++) {
      const row = tokens[b];
      const n = row.filter((t) => t === letter).length;
      if (n === 0) continue;
      // [output step, input position] of this row and head
      const A = headMatrix(pattern, b, head).subarray(s * T, (s + 1) * T);
      let on = 0;
      let off = 0;
      let best = 0;
      for (let k = 0; k < T; k++) {
        if (row[k] === letter) on += A[k];
        else off += A[k];
        if (A[k] > A[best]) best = k;
      }
      rows++;
      own += on / n;
      if (n < T) {
        other += off / (T - n);
        otherRows++;
      }
      if (row[best] === letter) hits++;
    }
    if (rows === 0) continue;
    out.push({
      step: s,
      letter: String.fromCharCode(letter),
      rows,
      own: own / rows,
      other: otherRows ? other / otherRows : null,
      argmax: hits / rows,
    });
  }
  return out;
}
