import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { PYTORCH_GPT2, PYTORCH_GPT2_BIAS, PYTORCH_GPT2_REFERENCE, PYTORCH_PLAIN } from '../../fixtures/paths';
import { openModelFile } from '../../../bin/model/files';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { attentionPatterns, findAttention } from '../../../probes/attention';
import { UsageError } from '../../../format/errors';
import { findContext, modelContext } from '../../../probes/onnx/context';
import { runFailure } from '../../../probes/run-failure';
import { initBackend } from '../../../training/backend';
import { disposeParams, initParams } from '../../../training/models/params';
import { makeSpec } from '../../../training/models/spec';
import { Rng } from '../../../training/random';
import { exportBytes } from '../../helpers/export';
import { decodeModel } from '../../../format/onnx/model';

/**
 * The context of a foreign graph, found in its structure, against what PyTorch and ONNX Runtime do: the
 * GPT-2 fixture runs at its 128 tokens with PyTorch's logits, ONNX Runtime itself fails at 129 in /wpe/Gather,
 * and smallscope refuses 129 before running, in one line with both lengths.
 */
interface Reference {
  config: { n_positions: number; bias_buffer: number; heads: number };
  context: Record<string, number>;
  tokens: number[];
  logits_last: number[];
  argmax: number[];
  attention: Record<string, { dims: number[]; data: number[] }>;
  at_limit: { logits_last: number[] };
}
const ref = JSON.parse(readFileSync(PYTORCH_GPT2_REFERENCE, 'utf8')) as Reference;
const letters = (n: number) => Array.from({ length: n }, (_, i) => 97 + (i % 26));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** ONNX Runtime on the model as exported, with no smallscope check in front. */
async function rawRun(file: string, tokens: number[]) {
  const session = await ort.InferenceSession.create(file, { logSeverityLevel: 4 });
  try {
    const ids = new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [1, tokens.length]);
    return (await session.run({ input_ids: ids })).logits;
  } finally {
    await session.release();
  }
}

describe('context found in the graph', () => {
  it('gpt2.onnx: 128 tokens, set by the position table /wpe/Gather (the rows of wpe.weight)', () => {
    expect(findContext(openModelFile(PYTORCH_GPT2))).toEqual({
      max_tokens: ref.context['gpt2.onnx'],
      from: 'position table /wpe/Gather',
    });
    expect(ref.context['gpt2.onnx']).toBe(128);
  });

  it('gpt2_bias.onnx: 96 tokens, set by the causal buffer bias [1, 1, 96, 96] (smaller than its 128 positions)', () => {
    const context = findContext(openModelFile(PYTORCH_GPT2_BIAS))!;
    expect(context.max_tokens).toBe(ref.context['gpt2_bias.onnx']);
    expect(context.max_tokens).toBe(96);
    expect(context.from).toBe(
      'buffer h.0.attn.bias [1, 1, 96, 96] sliced by the input length in /h.0/attn/Slice_2',
    );
  });

  it('a graph with no position table, buffer or fixed length is unbounded (null)', () => {
    expect(findContext(openModelFile(PYTORCH_PLAIN))).toBeNull();
  });

  it("a smallscope checkpoint's graph gives its manifest's max_seq (its W_pos sliced by the length)", async () => {
    await initBackend();
    const spec = makeSpec('conv-attn', { d_model: 16, n_heads: 2, pos_embed: true, max_seq: 24 });
    const params = initParams(spec, new Rng(1));
    const model = decodeModel(await exportBytes(spec, params));
    disposeParams(params);
    expect(findContext(model)?.max_tokens).toBe(24);
    expect(modelContext(model)).toEqual({
      max_tokens: 24,
      from: 'manifest max_seq, learned positional embedding',
    });
  });
});

describe('the limit is real, and enforced before ONNX Runtime runs', () => {
  it('at 128 tokens ONNX Runtime gives the logits PyTorch gave (max |diff| < 1e-4)', async () => {
    const logits = await rawRun(PYTORCH_GPT2, letters(128));
    const last = (logits.data as Float32Array).subarray(127 * 256, 128 * 256);
    expect(maxDiff(last, ref.at_limit.logits_last)).toBeLessThan(1e-4);
  });

  it('at 129 tokens ONNX Runtime itself fails in /wpe/Gather; runFailure makes that one line with the cause', async () => {
    const err = await rawRun(PYTORCH_GPT2, letters(129)).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/Gather node\. Name:'\/wpe\/Gather'.*idx=128/s);
    const usage = runFailure(err, openModelFile(PYTORCH_GPT2), 129);
    expect(usage).toBeInstanceOf(UsageError);
    expect(usage.message).toBe(
      "ONNX Runtime failed in Gather node '/wpe/Gather': index 128 is past its 128 rows " +
        "(the input has 129 tokens; the model's position table holds 128)",
    );
  });

  it('gpt2_bias.onnx runs 96 tokens and fails in ONNX Runtime at 97 (the sliced mask no longer fits)', async () => {
    await expect(rawRun(PYTORCH_GPT2_BIAS, letters(96))).resolves.toBeDefined();
    const err = await rawRun(PYTORCH_GPT2_BIAS, letters(97)).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    const usage = runFailure(err, openModelFile(PYTORCH_GPT2_BIAS), 97);
    expect(usage.message).toBe(
      "ONNX Runtime failed in Where node '/h.0/attn/Where': dimension 96 against 97 (the input has 97 tokens, " +
        "more than the 96 of the model's buffer h.0.attn.bias [1, 1, 96, 96] sliced by the input length in /h.0/attn/Slice_2)",
    );
  });

  it('the runner refuses 129 tokens in one line with both lengths, and runs 128 with attention like PyTorch', async () => {
    const found = findAttention(openModelFile(PYTORCH_GPT2));
    const runner = await createNodeRunner(found.model, found.bytes);
    try {
      await expect(
        runner.run(
          [letters(129)],
          found.taps.map((t) => t.tensor),
        ),
      ).rejects.toThrow(
        'the sequence has 129 tokens; this model takes at most 128 (position table /wpe/Gather): ' +
          'shorten the input (smallscope never cuts it silently)',
      );
      const { patterns } = await attentionPatterns(runner, found.taps, [ref.tokens]);
      for (const [name, want] of Object.entries(ref.attention)) {
        expect(patterns[name].dims).toEqual(want.dims);
        expect(maxDiff(patterns[name].data, want.data)).toBeLessThan(1e-4);
      }
    } finally {
      await runner.dispose?.();
    }
  });
});

beforeAll(() => {
  expect(ref.config).toMatchObject({ n_positions: 128, bias_buffer: 96, heads: 4 });
});
