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

/** One input of every composition the sampler can draw, with its probability and its target. */
export interface CountingComposition {
  /** blanks first, then the first letter's copies, then the second's, ... */
  input: string;
  /** multinomial probability of drawing these counts (in any order) */
  p: number;
  target: number[];
}

/**
 * Every composition of an input: how many blanks and how many of each letter (with 3 letters and length 10,
 * 286 of them). A model without position information answers the same for every ordering of the same counts,
 * so its exact error rates under the sampler are sums over these, weighted by `p`. There are
 * C(length + letters, letters) of them: meant for the seed's sizes.
 */
export function countingCompositions(c: CountingConfig): CountingComposition[] {
  const symbols = [' ', ...LETTERS.slice(0, c.letters)];
  const probs = [c.blank, ...symbols.slice(1).map(() => (1 - c.blank) / c.letters)];
  const logFactorial = (n: number) => {
    let s = 0;
    for (let i = 2; i <= n; i++) s += Math.log(i);
    return s;
  };
  const out: CountingComposition[] = [];
  const fill = (counts: number[], left: number) => {
    if (counts.length === symbols.length - 1) {
      const all = [...counts, left];
      const logP = all.reduce(
        (a, n, s) => a - logFactorial(n) + (n > 0 ? n * Math.log(probs[s]) : 0),
        logFactorial(c.length),
      );
      const input = all.map((n, s) => symbols[s].repeat(n)).join('');
      out.push({ input, p: Math.exp(logP), target: countingTarget(input, c.letters) });
      return;
    }
    for (let n = 0; n <= left; n++) fill([...counts, n], left - n);
  };
  fill([], c.length);
  return out;
}
