import { describe, expect, test } from 'vitest';
import { readCompare } from '../../src/lib/compare/url-state';
import { readState } from '../../src/lib/inspect/url-state';

/**
 * The inspect and compare views open with seed 002's paragraph (issue #19): the Dursley paragraph whose first
 * sentence comes back at the end, the text the seed drew its Conv-Attn and Attn-Attn attention maps on.
 */
describe('the default text of inspect and compare', () => {
  const sentences = (t: string) => t.split(/(?<=\.) /);

  test('inspect: the Dursley paragraph, first sentence repeated at the end', () => {
    const text = readState(new URLSearchParams()).text;
    const s = sentences(text);
    expect(s[0]).toBe(
      'Mr and Mrs Dursley, of number four, Privet Drive, were proud to say that they were perfectly normal, thank you very much.',
    );
    expect(s).toHaveLength(3);
    expect(s[2]).toBe(s[0]);
    // Plain ASCII, one byte token per character for the byte-level demo models.
    expect(new TextEncoder().encode(text).length).toBe(text.length);
  });

  test('compare opens with the same paragraph; a text in the URL (even an empty one) wins', () => {
    const names = ['conv-attn.onnx', 'attn-attn.onnx'];
    expect(readCompare(new URLSearchParams(), names).text).toBe(readState(new URLSearchParams()).text);
    expect(readCompare(new URLSearchParams({ text: 'abc abc' }), names).text).toBe('abc abc');
    expect(readState(new URLSearchParams({ text: '' })).text).toBe('');
  });
});
