import { describe, expect, it } from 'vitest';
import { attentionProps, compareProps, patternsOf } from '../../figures/props';
import { patternAxes } from '../../figures/pattern-axes';

/**
 * Figures of cross attention (seed 004's counting model: S output steps over T input tokens): every weight is
 * drawn, S x T, with the rows named as output steps. (patternsOf read S x S of them.)
 */
describe('figures of a cross-attention pattern', () => {
  const [S, T] = [4, 10];
  const data = Float32Array.from({ length: S * T }, (_, i) => (i + 1) / (S * T));
  const tokens = [Array.from('AB BC A  C', (c) => c.charCodeAt(0))];
  const p = patternsOf({ 'blocks.0.attn.hook_pattern': { dims: [1, 1, S, T], data } }, tokens);
  const src = { name: 'count.onnx', label: 'count.onnx (counting)' };
  const input = { tokens, describe: 'input "AB BC A  C" (10 tokens)' };

  it('keeps all S x T weights, row by row', () => {
    const m = p.maps[0][0];
    expect(m.map((r) => r.length)).toEqual([T, T, T, T]);
    expect(m.flat()).toEqual(Array.from(data));
  });

  it('names the rows output steps and the columns input tokens, in the panel and the caption', () => {
    expect(patternAxes(p.maps[0][0], ['A', 'B', '␣', 'B', 'C', '␣', 'A', '␣', '␣', 'C'])).toEqual({
      rowLabels: ['0', '1', '2', '3'],
      colLabels: ['A', 'B', '␣', 'B', 'C', '␣', 'A', '␣', '␣', 'C'],
      rowAxis: 'output step',
      colAxis: 'input token',
      aspect: 0.4,
    });
    expect(attentionProps(src, p, input, 0, 0, {}).meta.caption).toContain(
      'rows: output step, columns: input token',
    );
  });

  it('a square pattern keeps token rows, queries and keys', () => {
    const sq = patternsOf(
      { 'blocks.0.attn.hook_pattern': { dims: [1, 1, 3, 3], data: new Float32Array(9) } },
      [[1, 2, 3]],
    );
    expect(patternAxes(sq.maps[0][0], ['a', 'b', 'c'])).toMatchObject({
      rowLabels: ['a', 'b', 'c'],
      rowAxis: 'query',
      aspect: 1,
    });
  });

  it('the output steps’ self attention (S x S over T tokens) has output steps both ways and no head scores', () => {
    const own = Float32Array.from({ length: S * S }, (_, i) => (i % (S + 1) === 0 ? 1 : 0));
    const both = patternsOf(
      {
        'blocks.0.attn.hook_pattern': { dims: [1, 1, S, T], data },
        'blocks.1.attn.hook_pattern': { dims: [1, 1, S, S], data: own },
      },
      tokens,
    );
    expect(patternAxes(both.maps[1][0], ['A', 'B', '␣', 'B', 'C', '␣', 'A', '␣', '␣', 'C'])).toEqual({
      rowLabels: ['0', '1', '2', '3'],
      colLabels: ['0', '1', '2', '3'],
      rowAxis: 'output step',
      colAxis: 'output step',
      aspect: 1,
    });
    // An identity over 4 steps would read as a perfect "current token" head if taken for token attention.
    expect(both.heads).toEqual([]);
    expect(attentionProps(src, both, input, 1, 0, {}).meta.caption).toContain(
      'rows: output step, columns: output step',
    );
  });

  it('the compare figure gets both S x T maps', () => {
    const props = compareProps(src, p, src, p, input, 0, 0, {});
    expect(props.a.pattern.flat()).toHaveLength(S * T);
    expect(props.meta.caption).toContain('difference = left − right');
  });
});
