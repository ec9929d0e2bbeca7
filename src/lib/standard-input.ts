import { repeatedRandomTokens } from '$probes/inputs/repeat-random';
import { BYTE_VOCAB, encodeText } from '../../format/text';

/**
 * The standard probe input behind the library's head scores, the demo's induction test: 16 rows, each a block
 * of 20 distinct random lowercase letters typed twice (seed 0), so the induction score has period 20. Byte
 * models were trained on text, where random bytes (most never seen in training) say little; a model with
 * another vocabulary gets random ids from all of it. The CLI equivalent:
 * `smallscope probe heads MODEL --repeat-random 20 --batch 16 --alphabet abcdefghijklmnopqrstuvwxyz`.
 */
export const STANDARD_INPUT = { n: 20, batch: 16, seed: 0 } as const;
export const STANDARD_ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

export function standardTokens(vocab: number | null): number[][] {
  const v = vocab ?? BYTE_VOCAB;
  const alphabet = v === BYTE_VOCAB ? encodeText(STANDARD_ALPHABET) : undefined;
  return repeatedRandomTokens({ ...STANDARD_INPUT, vocab: v, alphabet });
}

export const STANDARD_INPUT_LABEL = `${STANDARD_INPUT.batch} rows of a block of ${STANDARD_INPUT.n} random lowercase letters typed twice (seed ${STANDARD_INPUT.seed}; random token ids for a non-byte vocabulary)`;
