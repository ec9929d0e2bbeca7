import { describe, expect, test } from 'vitest';
import { render } from 'svelte/server';
import StepView from '../../src/lib/inspect/StepView.svelte';

/**
 * The inspect view's printout of a map whose rows are output steps (seed 004): each step's "attended mainly to
 * input steps" with its weights as the seed prints them, or, for the output steps' self attention, each row.
 */
describe('StepView', () => {
  const base = {
    output: 'blocks.0.attn.hook_pattern',
    canonical: 'blocks.0.attn.hook_pattern',
    layer: 0,
    head: 0,
  };

  test('cross attention: the keys at each step’s largest weight (ties kept) and the weights to 3 decimals', () => {
    const values = Float32Array.of(0.3, 0.1, 0.3, 0.3, 0.05, 0.8, 0.05, 0.1);
    const { body } = render(StepView, {
      props: { map: { ...base, rows: 2, cols: 4, cross: true, values } },
    });
    expect(body).toContain('data-kind="cross"');
    expect(body).toMatch(/data-step="0" data-mainly="0 2 3"/);
    expect(body).toContain('Output step 0 attended mainly to input steps: [0 2 3]');
    expect(body).toContain('[0.3, 0.1, 0.3, 0.3]');
    expect(body).toContain('Output step 1 attended mainly to input steps: [1]');
    expect(body).toContain('[0.05, 0.8, 0.05, 0.1]');
  });

  test('the output steps’ self attention: one row per step', () => {
    const values = Float32Array.of(1, 0, 0, 0.0004, 0.9996, 0, 0.2, 0.3, 0.5);
    const map = { ...base, layer: 1, rows: 3, cols: 3, cross: false, outputSelf: true, values };
    const { body } = render(StepView, { props: { map } });
    expect(body).toContain('data-kind="output-self"');
    expect(body).toContain('Attention of output step 1:');
    expect(body).toContain('[0.0, 1.0, 0.0]');
    expect(body).toContain('[0.2, 0.3, 0.5]');
  });
});
