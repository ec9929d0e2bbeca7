/**
 * The Range header of a checkpoint download (RFC 9110 §14): a single `bytes=a-b`, `bytes=a-` or `bytes=-n`
 * range is served as 206 Partial Content. Anything else that names a range (several ranges, another unit,
 * malformed numbers, a start past the end) is answered 416 rather than guessed at: the page never sends one,
 * so a strange Range header is a probe, and a clear 4xx is the honest answer.
 */
export type RangeResult =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'invalid' };

export function parseRange(header: string | null, size: number): RangeResult {
  if (header === null) return { kind: 'full' };
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'invalid' };
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return { kind: 'invalid' };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return { kind: 'invalid' };
  }
  if (start >= size || end < start) return { kind: 'invalid' };
  return { kind: 'partial', start, end };
}
