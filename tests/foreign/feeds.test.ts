import { describe, expect, it } from 'vitest';
import { buildFeeds, planFeeds } from '../../format/feeds';
import type { ValueInfo } from '../../format/onnx/model';

/** The input rules (format/feeds.ts) on declared graph inputs: what each is fed, or the refusal. */
const v = (name: string, elemType: string | null, dims: ValueInfo['dims']): ValueInfo => ({
  name,
  elemType,
  dims,
});
const tokens = [
  [5, 6, 7],
  [8, 9, 10],
];

describe('feeding graph inputs by rule', () => {
  it('a single input takes the token ids, whatever its name', () => {
    const plan = planFeeds([v('x', 'int32', ['b', 's'])]);
    const [f] = buildFeeds(plan, tokens);
    expect(f).toMatchObject({ name: 'x', type: 'int32', dims: [2, 3] });
    expect([...f.data]).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('attention_mask ones, position_ids 0..T-1 per row, token_type_ids zeros, in their declared types', () => {
    const plan = planFeeds([
      v('attention_mask', 'float', ['b', 's']),
      v('input_ids', 'int64', ['b', 's']),
      v('position_ids', 'int64', ['b', 's']),
      v('token_type_ids', 'int32', ['b', 's']),
    ]);
    const feeds = Object.fromEntries(buildFeeds(plan, tokens).map((f) => [f.name, f]));
    expect([...feeds.input_ids.data]).toEqual([5n, 6n, 7n, 8n, 9n, 10n]);
    expect(feeds.attention_mask).toMatchObject({ type: 'float32', dims: [2, 3] });
    expect([...feeds.attention_mask.data]).toEqual([1, 1, 1, 1, 1, 1]);
    expect([...feeds.position_ids.data]).toEqual([0n, 1n, 2n, 0n, 1n, 2n]);
    expect([...feeds.token_type_ids.data]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a bool attention_mask is fed true', () => {
    const plan = planFeeds([v('tokens', 'int64', ['b', 's']), v('attention_mask', 'bool', ['b', 's'])]);
    expect(buildFeeds(plan, tokens)[1]).toMatchObject({
      type: 'bool',
      data: Uint8Array.from([1, 1, 1, 1, 1, 1]),
    });
  });

  it('past key/values: batch, fixed heads and head size, past length 0', () => {
    const plan = planFeeds([
      v('input_ids', 'int64', ['batch_size', 'sequence_length']),
      v('past_key_values.0.key', 'float', ['batch_size', 4, 'past_sequence_length', 16]),
      v('past_key_values.0.value', 'float', ['batch_size', 4, 'past_sequence_length', 16]),
    ]);
    const past = buildFeeds(plan, tokens).slice(1);
    expect(past.map((f) => [f.name, f.dims, f.data.length])).toEqual([
      ['past_key_values.0.key', [2, 4, 0, 16], 0],
      ['past_key_values.0.value', [2, 4, 0, 16], 0],
    ]);
  });

  it('refuses what no rule fills, naming the input and its shape', () => {
    const ids = v('input_ids', 'int64', ['b', 's']);
    expect(() => planFeeds([ids, v('inputs_embeds', 'float', ['b', 's', 32])])).toThrow(
      /input 'inputs_embeds' \[b, s, 32\] \(float\) is not one smallscope can fill/,
    );
    expect(() => planFeeds([ids, v('past_key_values.0.key', 'float', ['b', 'h', 'p', 16])])).toThrow(
      /'past_key_values.0.key' \[b, h, p, 16\].*past length is not one dynamic dimension/,
    );
    expect(() => planFeeds([ids, v('attention_mask', 'int64', ['b', 1, 's', 's'])])).toThrow(
      /'attention_mask' \[b, 1, s, s\].*expected \[batch, sequence\]/,
    );
    expect(() => planFeeds([v('a', 'int64', ['b', 's']), v('b', 'int64', ['b', 's'])])).toThrow(
      /2 inputs \(a \[b, s\], b \[b, s\]\) and none is named input_ids or tokens/,
    );
    expect(() => planFeeds([v('input_ids', 'float', ['b', 's'])])).toThrow(/is float, not token ids/);
  });
});
