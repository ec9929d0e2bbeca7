import { describe, expect, it } from 'vitest';
import { oneLine, UsageError } from '../../format/errors';

describe('UsageError', () => {
  it('is always one line: newlines and control characters from a file are written as escapes', () => {
    const e = new UsageError("reads tensor 'a\nb\r\tc\u0007\u007f\u2028': refused");
    expect(e.message).toBe("reads tensor 'a\\nb\\r\\tc\\x07\\x7f\\u2028': refused");
    expect(e.name).toBe('UsageError');
  });

  it('leaves printable text, non-ASCII letters included, as it is', () => {
    expect(oneLine('Größe 128 → 96 tokens, “quoted”')).toBe('Größe 128 → 96 tokens, “quoted”');
  });
});
