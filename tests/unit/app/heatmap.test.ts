import { describe, expect, test } from 'vitest';
import { render } from 'svelte/server';
import Heatmap from '../../../src/lib/charts/Heatmap.svelte';
import { weightScale } from '../../../src/lib/charts/color';

/**
 * Non-square attention (output step x input step, e.g. cross-attention): the heatmap takes rows and cols
 * separately. Rendered on the server (no canvas there), so this checks the layout the browser gets.
 */
describe('Heatmap with rows != cols', () => {
  const rows = 3;
  const cols = 5;
  const values = Float32Array.from({ length: rows * cols }, (_, i) => i / (rows * cols));
  const { body } = render(Heatmap, {
    props: {
      values,
      rows,
      cols,
      cell: 20,
      color: weightScale(),
      rowLabels: ['o0', 'o1', 'o2'],
      colLabels: ['i0', 'i1', 'i2', 'i3', 'i4'],
      rowName: 'output step',
      colName: 'input step',
      axes: true,
      interactive: true,
      caption: 'cross-attention',
    },
  });

  test('the canvas draws cols x rows cells, shown cols*cell x rows*cell pixels', () => {
    expect(body).toContain('data-rows="3"');
    expect(body).toContain('data-cols="5"');
    expect(body).toMatch(/<canvas[^>]*data-rows="3"[^>]*data-cols="5"/);
    expect(body).toMatch(/style="[^"]*width: 100px; height: 60px/);
  });

  test('each axis has its own labels and names', () => {
    for (const l of ['o0', 'o1', 'o2', 'i0', 'i4']) expect(body).toContain(`>${l}</text>`);
    expect(body).toContain('rows: output steps, columns: input steps');
  });
});

describe('Heatmap heightStep', () => {
  /** The plot box's CSS height for a T-token square map at 3 px a cell, with axes (46 px of labels on top). */
  const plotHeight = (T: number, heightStep?: number) => {
    const { body } = render(Heatmap, {
      props: {
        values: new Float32Array(T * T),
        size: T,
        cell: 3,
        color: weightScale(),
        axes: true,
        heightStep,
      },
    });
    return Number(/class="plot[^"]*"[^>]*style="width: \d+px; height: (\d+)px/.exec(body)![1]);
  };

  test('without it the plot is exactly rows x cell plus the labels, so one more token makes it taller', () => {
    expect(plotHeight(255)).toBe(46 + 255 * 3);
    expect(plotHeight(256)).toBe(46 + 256 * 3);
  });

  test('with it the height is rounded up to the step: a token more or less keeps the same box', () => {
    expect(plotHeight(255, 64)).toBe(832);
    expect(plotHeight(256, 64)).toBe(832);
    expect(plotHeight(262, 64)).toBe(832); // 46 + 786 = 832 exactly
    expect(plotHeight(263, 64)).toBe(896);
  });
});
