/** Head scores, one concept per file. */
export { previousTokenScore } from './previous-token';
export { inductionScore, arenaInductionScore } from './induction';
export * from './head-detector';
export { pythonRound3 } from './python-round';
export { detectPeriod, detectBatchPeriod, repeatsWithPeriod, type Period } from './period';
