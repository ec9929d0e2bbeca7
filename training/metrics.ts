/**
 * The seeds' error rates for masked text-to-text tasks (seed 001 defines both):
 *   mask error   = wrong characters inside the answer spans / all answer characters
 *   sample error = answers with at least one wrong character / all answers
 * Positions outside the answer (the question, copied through) are not counted. Returned as fractions.
 */
export interface Span {
  start: number;
  end: number;
}

export interface MaskedCounts {
  wrongChars: number;
  chars: number;
  wrongSamples: number;
  samples: number;
}

/** Count errors in a batch: predictions and targets [rows, seqLen] row-major, one answer span per row. */
export function maskedCounts(
  pred: ArrayLike<number>,
  target: ArrayLike<number>,
  seqLen: number,
  spans: Span[],
): MaskedCounts {
  const c: MaskedCounts = { wrongChars: 0, chars: 0, wrongSamples: 0, samples: 0 };
  spans.forEach((s, r) => {
    let wrong = 0;
    for (let t = s.start; t < s.end; t++) if (pred[r * seqLen + t] !== target[r * seqLen + t]) wrong++;
    c.wrongChars += wrong;
    c.chars += s.end - s.start;
    c.wrongSamples += wrong > 0 ? 1 : 0;
    c.samples++;
  });
  return c;
}

export function addCounts(a: MaskedCounts, b: MaskedCounts): MaskedCounts {
  return {
    wrongChars: a.wrongChars + b.wrongChars,
    chars: a.chars + b.chars,
    wrongSamples: a.wrongSamples + b.wrongSamples,
    samples: a.samples + b.samples,
  };
}

export function errorRates(c: MaskedCounts): { mask_error: number; sample_error: number } {
  return {
    mask_error: c.chars ? c.wrongChars / c.chars : 0,
    sample_error: c.samples ? c.wrongSamples / c.samples : 0,
  };
}
