import { describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { checkVocab, parseTokenBatch, textBatch } from '../../probes/inputs/tokens';

describe('token batches', () => {
  it('parses a JSON array of equal-length token-id arrays', () => {
    expect(parseTokenBatch('[[1, 2], [3, 4]]', 'f')).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it.each([
    ['not JSON', 'nope', /is not JSON/],
    ['not an array', '{"a": 1}', /must be an array of token-id arrays/],
    ['an empty batch', '[]', /empty array/],
    ['a flat array', '[1, 2]', /row 0 is a number/],
    ['an empty row', '[[]]', /row 0 is empty/],
    ['a non-integer id', '[[1, 2.5]]', /position 1 is 2.5/],
    ['a negative id', '[[-1]]', /not a token id/],
    ['rows of different length', '[[1, 2], [3]]', /rows must have equal length/],
  ])('refuses %s with a UsageError', (_, json, message) => {
    expect(() => parseTokenBatch(json, 'f')).toThrow(UsageError);
    expect(() => parseTokenBatch(json, 'f')).toThrow(message);
  });

  it('refuses ids outside the vocabulary, naming the id and where it is', () => {
    expect(() => checkVocab([[1, 256]], 256)).toThrow(
      /token id 256 \(row 0, position 1\) is outside the vocabulary of 256/,
    );
    expect(() => checkVocab([[255]], 256)).not.toThrow();
  });

  it('tokenizes text as UTF-8 bytes and refuses empty text', () => {
    expect(textBatch('hé')).toEqual([[104, 195, 169]]);
    expect(() => textBatch('')).toThrow(UsageError);
  });
});
