import { repeatedRandomTokens } from '$probes/inputs/repeat-random';
import { DEFAULT_TEXT } from './url-state';

/** Lower-case letters a..z as byte tokens. */
const A = 97;
const LETTERS = 26;

/**
 * Repeated random letters: a block of distinct random letters typed twice, built by the probes' own
 * repeated-random-token generator (so the page's induction score is the probe's, on a readable text).
 */
export function repeatedLetters(n = 24, seed = 1): string {
  const [row] = repeatedRandomTokens({ n: Math.min(n, LETTERS), batch: 1, vocab: A + LETTERS, low: A, seed });
  return String.fromCharCode(...row);
}

/** A paragraph with no sentence, word run or block that repeats: what a head does without anything to copy. */
export const CONTROL_TEXT =
  'A brisk wind swept over the harbour while gulls argued above fishing boats. Somewhere inland, ' +
  'a baker counted loaves by lamplight and hummed an unfamiliar tune.';

export interface Preset {
  id: string;
  label: string;
  text: () => string;
}

export const PRESETS: Preset[] = [
  { id: 'letters', label: 'Repeated random letters', text: () => repeatedLetters() },
  { id: 'paragraph', label: "Seed 002's paragraph, first sentence repeated", text: () => DEFAULT_TEXT },
  { id: 'control', label: 'Control: no repeats', text: () => CONTROL_TEXT },
];
