import { describe, expect, test } from 'vitest';
import { render } from 'svelte/server';
import Heatmap from '../../src/lib/charts/Heatmap.svelte';
import { weightScale } from '../../src/lib/charts/color';

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
  /** A T-token square map at 3 px a cell with axes (46 px of labels on top): the plot's height, and the box's. */
  const boxOf = (T: number, heightStep?: number) => {
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
    return {
      plot: Number(/class="plot[^"]*"[^>]*style="width: \d+px; height: (\d+)px/.exec(body)![1]),
      reserved: /class="heatmap[^"]*"[^>]*style="min-height: calc\((\d+)px \+ 1\.5rem\)/.exec(body)?.[1],
    };
  };

  test('without it the box is its content: one more token makes the plot taller, nothing is reserved', () => {
    expect(boxOf(255)).toEqual({ plot: 46 + 255 * 3, reserved: undefined });
    expect(boxOf(256)).toEqual({ plot: 46 + 256 * 3, reserved: undefined });
  });

  test('with it the plot keeps its exact height and the box reserves it rounded up: a token more or less keeps the box', () => {
    expect(boxOf(255, 64)).toEqual({ plot: 811, reserved: '832' });
    expect(boxOf(256, 64)).toEqual({ plot: 814, reserved: '832' });
    expect(boxOf(262, 64).reserved).toBe('832'); // 46 + 786 = 832 exactly
    expect(boxOf(263, 64).reserved).toBe('896');
  });
});
