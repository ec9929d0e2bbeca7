import { describe, expect, test } from 'vitest';
import { render } from 'svelte/server';
import HeadGrid from '../../src/lib/inspect/HeadGrid.svelte';
import { weightScale } from '../../src/lib/charts/color';
import { allHeadScores } from '../../probes/heads';

/**
 * The inspect view's head grid with a cross-attention map (seed 004 counting: 4 output steps x 10 input
 * tokens): the thumbnail is drawn rows x cols, not T x T, and the null scores render as dashes.
 */
describe('HeadGrid with a cross-attention map', () => {
  const rows = 4;
  const cols = 10;
  const values = new Float32Array(rows * cols).fill(1 / cols);
  const tokens = Array.from('AB BC A  C', (c) => c.charCodeAt(0));
  const heads = allHeadScores(
    { 'blocks.0.attn.hook_pattern': { dims: [1, 1, rows, cols], data: values } },
    [tokens],
    null,
  );
  const map = {
    output: 'blocks.0.attn.hook_pattern',
    canonical: 'blocks.0.attn.hook_pattern',
    layer: 0,
    head: 0,
    rows,
    cols,
    cross: true,
    values,
  };
  const { body } = render(HeadGrid, {
    props: {
      maps: [map],
      scores: { period: null, heads, repeat: null },
      selected: map,
      color: weightScale(),
      onselect: () => {},
    },
  });

  test('the thumbnail is output steps x input tokens', () => {
    expect(body).toContain('data-rows="4"');
    expect(body).toContain('data-cols="10"');
    expect(body).toMatch(/<canvas[^>]*data-rows="4"[^>]*data-cols="10"/);
  });

  test('the null scores of cross attention render as dashes', () => {
    expect(heads[0]).toMatchObject({ kind: 'cross', previous_token: null, induction: null });
    expect(body).toContain('prev –');
    expect(body).toContain('data-previous-token=""');
  });
});
