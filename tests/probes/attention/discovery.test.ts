import { describe, expect, it } from 'vitest';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { NO_ATTENTION, asPattern, attentionPatterns, findAttention } from '../../../probes/attention';
import { UsageError } from '../../../format/errors';
import { tinyModel } from '../../helpers/onnx-builder';

async function patternsOf(bytes: Uint8Array, tokens: number[][]) {
  const found = findAttention(bytes);
  const runner = await createNodeRunner(found.model, found.bytes);
  try {
    return { found, result: await attentionPatterns(runner, found.taps, tokens) };
  } finally {
    await runner.dispose?.();
  }
}

describe('finding attention in a graph', () => {
  it('finds a Softmax over the last axis and names it blocks.0.attn.hook_pattern', () => {
    const { taps } = findAttention(tinyModel());
    expect(taps).toMatchObject([
      { name: 'blocks.0.attn.hook_pattern', tensor: 'attn', source: 'softmax', axis: -1 },
    ]);
  });

  it('adds a head axis to a 3-D [batch, query, key] pattern', async () => {
    const { result } = await patternsOf(tinyModel(), [
      [1, 2, 3, 4],
      [4, 3, 2, 1],
    ]);
    const p = result.patterns['blocks.0.attn.hook_pattern'];
    expect(p.dims).toEqual([2, 1, 4, 4]);
  });

  it('takes the canonical blocks.{l}.attn.hook_pattern outputs of our own checkpoints as they are', async () => {
    const { found, result } = await patternsOf(tinyModel({ canonical: true }), [[1, 2, 3]]);
    expect(found.taps).toMatchObject([{ name: 'blocks.0.attn.hook_pattern', source: 'output' }]);
    expect(found.bytes).toBe(found.model.bytes); // nothing to expose
    expect(result.patterns['blocks.0.attn.hook_pattern'].dims).toEqual([1, 1, 3, 3]);
  });

  it('refuses a sequence longer than a fixed model dimension, naming the limit', async () => {
    await expect(patternsOf(tinyModel({ seqLen: 4 }), [[1, 2, 3, 4, 5]])).rejects.toThrow(/at most 4/);
  });

  it('refuses a graph whose only Softmax is over the vocabulary, naming what is missing', () => {
    expect(() => findAttention(tinyModel({ noAttention: true }))).toThrow(UsageError);
    expect(() => findAttention(tinyModel({ noAttention: true }))).toThrow(NO_ATTENTION);
  });

  it('uses the opset default axis before opset 13 (axis 1 of a 3-D tensor is not per-row) and skips it at run time', async () => {
    const bytes = tinyModel({ opset: 11, axis: null });
    const { taps } = findAttention(bytes);
    expect(taps[0].axis).toBe(1);
    await expect(patternsOf(bytes, [[1, 2, 3]])).rejects.toThrow(NO_ATTENTION);
  });

  it('accepts an explicit last axis before opset 13 (axis = rank - 1)', async () => {
    const { result } = await patternsOf(tinyModel({ opset: 11, axis: 2 }), [[1, 2, 3]]);
    expect(Object.keys(result.patterns)).toEqual(['blocks.0.attn.hook_pattern']);
  });

  it('accepts opset 13 with the axis left at its default (-1)', async () => {
    const { result } = await patternsOf(tinyModel({ opset: 13, axis: null }), [[1, 2, 3]]);
    expect(result.patterns['blocks.0.attn.hook_pattern'].dims).toEqual([1, 1, 3, 3]);
  });
});

describe('shaping fetched tensors as [batch, head, query, key]', () => {
  const t = (dims: number[]) => ({ dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });

  it('keeps [b, h, T, T]', () => {
    expect((asPattern(t([2, 3, 5, 5]), 2, 5, -1) as { dims: number[] }).dims).toEqual([2, 3, 5, 5]);
  });

  it('reads [b*h, T, T] as heads packed batch-major (PyTorch MultiheadAttention)', () => {
    expect((asPattern(t([6, 5, 5]), 2, 5, -1) as { dims: number[] }).dims).toEqual([2, 3, 5, 5]);
  });

  it('reads [T, T] as one batch row and one head', () => {
    expect((asPattern(t([5, 5]), 1, 5, 1) as { dims: number[] }).dims).toEqual([1, 1, 5, 5]);
  });

  it('says why a tensor is not attention over the tokens', () => {
    expect(asPattern(t([1, 5, 8]), 1, 5, -1)).toMatch(/not square/);
    expect(asPattern(t([1, 4, 4]), 1, 5, -1)).toMatch(/does not span the 5 input positions/);
    expect(asPattern(t([1, 5, 5]), 1, 5, 1)).toMatch(/not the last axis/);
  });
});
