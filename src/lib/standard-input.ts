import { repeatedRandomTokens } from '$probes/inputs/repeat-random';
import { BYTE_VOCAB } from '$probes/text';

/**
 * The standard probe input behind the library's head scores: the same batch as
 * `smallscope probe heads MODEL --repeat-random 20` (10 rows, seed 0, ids drawn from the model's vocabulary),
 * each row a random block of 20 tokens typed twice, so the induction score has period 20.
 */
export const STANDARD_INPUT = { n: 20, batch: 10, seed: 0 } as const;

export function standardTokens(vocab: number | null): number[][] {
  return repeatedRandomTokens({ ...STANDARD_INPUT, vocab: vocab ?? BYTE_VOCAB });
}

export const STANDARD_INPUT_LABEL = `repeated random tokens: ${STANDARD_INPUT.batch} rows of a ${STANDARD_INPUT.n}-token block typed twice (seed ${STANDARD_INPUT.seed})`;
