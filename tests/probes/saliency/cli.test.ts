import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import type { SaliencyResult } from '../../../probes/saliency/saliency';
import { PYTORCH_GPT2, PYTORCH_GRAD } from '../../fixtures/paths';
import { expectUsageError, smallscope } from '../../helpers/cli';
import { convStackModel } from '../../helpers/conv-stack';

/**
 * `smallscope probe saliency`'s contract beyond the PyTorch numbers (pytorch-autograd.test.ts): completeness
 * on a model linear in its embeddings (sum_i s_i = y exactly when y(0) = 0), the ranked human summary, the
 * finite-difference fallback for a graph with an op outside the supported set, and one-line refusals.
 */
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-saliency-cli-'));
const text = 'the cat sat on the mat.';

function json(...args: string[]): SaliencyResult {
  const r = smallscope('probe', 'saliency', ...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SaliencyResult;
}

describe('smallscope probe saliency', () => {
  it('on a linear conv stack without biases, the scores add up to y (gradient x input is complete for linear y)', () => {
    const file = join(scratch, 'linear.onnx');
    writeFileSync(file, convStackModel(3, [1, 2], { C: 4, vocab: 16 }).bytes);
    const tokens = join(scratch, 'tokens.json');
    writeFileSync(tokens, JSON.stringify([[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]]));
    const doc = json(file, '--tokens-file', tokens, '--target', '2', '--position', '5');
    expect(doc.method).toBe('exact (tfjs graph autodiff)');
    expect(doc.output).toBe('out');
    const total = doc.scores.reduce((a, b) => a + b, 0);
    expect(Math.abs(total - doc.y)).toBeLessThan(1e-5 * Math.max(1, Math.abs(doc.y)));
    // the kernel-3 convs with dilations 1, 2 reach offsets -3..3 of position 5: nothing else has a gradient
    doc.gradient_norms.forEach((g, s) => expect(g > 0).toBe(Math.abs(s - 5) <= 3));
  });

  it('prints the ten largest |s_i| first, with their positions and pieces', () => {
    const doc = json(PYTORCH_GPT2, '--text', text);
    const r = smallscope('probe', 'saliency', PYTORCH_GPT2, '--text', text);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain(
      `the logit of '${doc.target!.string}' (id ${doc.target!.id}) at position ${text.length - 1}`,
    );
    expect(lines[0]).toContain('exact (tfjs graph autodiff)');
    const listed = lines
      .filter((l) => /^\s+\d+\. position/.test(l))
      .map((l) => Number(/position\s+(\d+)/.exec(l)![1]));
    expect(listed).toHaveLength(10);
    const abs = listed.map((i) => Math.abs(doc.scores[i]));
    expect(abs).toEqual([...abs].sort((a, b) => b - a));
    expect(abs[0]).toBe(Math.max(...doc.scores.map(Math.abs)));
    expect(lines).toContain(`note: target: the argmax at position ${text.length - 1}`);
  });

  it('falls back to finite differences, with a note naming the op, for a graph it cannot differentiate', () => {
    const proto = onnx.ModelProto.decode(readFileSync(join(PYTORCH_GRAD, 'selcopy_conv.onnx')));
    const relu = proto.graph!.node!.find((n) => n.opType === 'Relu')!;
    relu.opType = 'HardSwish';
    const file = join(scratch, 'hardswish.onnx');
    writeFileSync(file, onnx.ModelProto.encode(proto).finish());
    const doc = json(file, '--text', 'abcdefgh', '--target', '7', '--position', '4');
    expect(doc.method).toBe('central finite differences through ONNX Runtime');
    expect(doc.eps).toBe(1e-2);
    expect(doc.notes).toEqual([
      `finite differences: op 'HardSwish' (node ${relu.name}) is not differentiated by smallscope`,
    ]);
    expectUsageError(
      smallscope('probe', 'saliency', file, '--text', 'abcdefgh', '--method', 'exact'),
      /--method exact: op 'HardSwish' .* is not differentiated by smallscope/,
    );
  });

  it('--method fd agrees with the exact scores within 1e-2 on the GPT-2 style export (smooth: GELU, softmax)', () => {
    const exact = json(PYTORCH_GPT2, '--text', 'abcab', '--target', 'c');
    const fd = json(PYTORCH_GPT2, '--text', 'abcab', '--target', 'c', '--method', 'fd');
    expect(fd.method).toBe('central finite differences through ONNX Runtime');
    const scale = Math.max(...exact.scores.map(Math.abs));
    fd.scores.forEach((s, i) => expect(Math.abs(s - exact.scores[i])).toBeLessThan(1e-2 * scale));
  });

  it('refuses what it cannot answer in one line', () => {
    const rows = join(scratch, 'rows.json');
    writeFileSync(
      rows,
      JSON.stringify([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    );
    const cases: [string[], RegExp][] = [
      [['--text', text, '--target', 'm', '--loss'], /give --target or --loss, not both/],
      [['--text', text, '--loss', '--position', '2'], /--loss averages over every position: drop --position/],
      [
        ['--text', text, '--target', 'mat'],
        /--target 'mat' is 3 tokens \(109, 97, 116\): give one token or its id/,
      ],
      [['--text', text, '--target', '999'], /--target 999 is past the output's 256 entries/],
      [['--text', text, '--position', '99'], /--position 99 is outside the sequence: use 0\.\.22/],
      [['--tokens-file', rows], /probe saliency takes one row; the tokens file has 2/],
      [['--text', 'a', '--loss'], /--loss needs at least 2 tokens/],
      [['--text', text, '--method', 'adjoint'], /unknown --method 'adjoint'/],
    ];
    for (const [args, message] of cases)
      expectUsageError(smallscope('probe', 'saliency', PYTORCH_GPT2, ...args), message);
  });
});
