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
