import { UsageError } from '../../format/errors';
import type { Rng } from '../random';
import { LETTERS, masked, type MaskedSample } from './masked-sample';

/**
 * Selective copying (seed 000): `letters` letters scattered over an `area` of spaces; the answer is the
 * letters concatenated in order, e.g. `A  B C   D:ABCD`. Solving it needs a receptive field that spans the
 * whole area, which is what the seed's kernel / dilation / attention comparison is about.
 */
export interface SelcopyConfig {
  area: number;
  letters: number;
}

export function validateSelcopy(c: SelcopyConfig): void {
  if (!Number.isInteger(c.area) || c.area < 1)
    throw new UsageError(`--area must be a positive integer, got ${c.area}`);
  if (!Number.isInteger(c.letters) || c.letters < 1)
    throw new UsageError(`--letters must be a positive integer, got ${c.letters}`);
  if (c.letters > c.area)
    throw new UsageError(
      `--area ${c.area} is too small for ${c.letters} letters: the area needs one cell per letter`,
    );
}

export function selcopySample(c: SelcopyConfig, rng: Rng): MaskedSample {
  const cells = rng
    .sample(
      Array.from({ length: c.area }, (_, i) => i),
      c.letters,
    )
    .sort((a, b) => a - b);
  const area = new Array<string>(c.area).fill(' ');
  const answer: string[] = [];
  for (const cell of cells) {
    const letter = LETTERS[rng.int(LETTERS.length)];
    area[cell] = letter;
    answer.push(letter);
  }
  return masked(`${area.join('')}:`, answer.join(''));
}

/** Sequence length of every selcopy sample: the area, the colon and the answer. */
export const selcopyLength = (c: SelcopyConfig) => c.area + 1 + c.letters;
