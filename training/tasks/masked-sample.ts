/**
 * A sample of the seeds' text-to-text tasks: the network reads `input` (the answer replaced by the mask
 * character) and must output `target` at every position. Errors are counted inside the answer span only.
 */
export interface MaskedSample {
  input: string;
  target: string;
  /** the answer span [answerStart, answerEnd) in character (= byte, all ASCII) positions */
  answerStart: number;
  answerEnd: number;
}

export const MASK_CHAR = '?';

export function masked(question: string, answer: string): MaskedSample {
  return {
    input: question + MASK_CHAR.repeat(answer.length),
    target: question + answer,
    answerStart: question.length,
    answerEnd: question.length + answer.length,
  };
}

export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
