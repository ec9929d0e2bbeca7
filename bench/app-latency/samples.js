/** What run.js and ab.js share: the texts they type into and the statistics they report. */

/** A deterministic text of n one-byte tokens (lowercase words), with no exact repeat. */
export function textOf(n, seed = 7) {
  const words = ['the', 'quiet', 'river', 'bends', 'around', 'old', 'mill', 'and', 'a', 'heron', 'waits'];
  let s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  let t = '';
  while (t.length < n) t += `${words[Math.floor(rand() * words.length)]}${rand() < 0.1 ? '. ' : ' '}`;
  return t.slice(0, n);
}

/** The p-quantile of xs, interpolated between the two nearest samples; NaN for none. */
export const quantile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = (s.length - 1) * p;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
};
export const median = (xs) => quantile(xs, 0.5);
export const p90 = (xs) => quantile(xs, 0.9);
