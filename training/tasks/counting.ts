import { UsageError } from '../../format/errors';
import type { Rng } from '../random';
import { LETTERS } from './masked-sample';

/**
 * Counting / difference (seed 004): a sequence of letters and blanks; output step i is the count of the i-th
 * letter, and a last step holds |count(first) - count(second)|. `A B _ B C` gives [1, 2, 1, 1]. The model
 * answers with learned output queries attending over the input (output step x input step attention).
 */
export interface CountingConfig {
  /** input length (10 in the seed) */
  length: number;
  /** how many letters are counted (A, B, C in the seed) */
  letters: number;
  /** probability of a blank at each position */
  blank: number;
}

export const COUNTING_DEFAULTS: CountingConfig = { length: 10, letters: 3, blank: 0.25 };

export interface CountingSample {
  input: string;
  /** counts of each letter, then the absolute difference of the first two */
  target: number[];
}

export function validateCounting(c: CountingConfig): void {
  if (!(c.letters >= 2 && c.letters <= 26))
    throw new UsageError(`--letters must be in 2..26 for counting (the difference needs two)`);
  if (!(c.length >= 1)) throw new UsageError(`--length must be at least 1`);
  if (!(c.blank >= 0 && c.blank < 1)) throw new UsageError(`--blank must be in [0, 1)`);
}

export function countingTarget(input: string, letters: number): number[] {
  const counts = LETTERS.slice(0, letters)
    .split('')
    .map((l) => input.split('').filter((ch) => ch === l).length);
  return [...counts, Math.abs(counts[0] - counts[1])];
}

export function countingSample(c: CountingConfig, rng: Rng): CountingSample {
  let input = '';
  for (let i = 0; i < c.length; i++) input += rng.next() < c.blank ? ' ' : LETTERS[rng.int(c.letters)];
  return { input, target: countingTarget(input, c.letters) };
}
