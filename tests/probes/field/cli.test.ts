import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { initializer, node, valueInfo } from '../../helpers/onnx-builder';
import { convStackModel } from '../../helpers/conv-stack';
import { expectUsageError, PYTORCH_MODEL, smallscope } from '../../helpers/cli';

const scratch = mkdtempSync(join(tmpdir(), 'smallscope-field-'));
const stack = join(scratch, 'stack.onnx');
writeFileSync(stack, convStackModel(7, [1, 1, 1]).bytes);

/** tokens -> Cast -> Unsqueeze -> Mul: an ONNX model with no embedding lookup. */
function noEmbedding(): Uint8Array {
  const model: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'no-embedding',
      node: [
        node('Cast', ['tokens'], ['f'], [{ name: 'to', i: 1, type: onnx.AttributeProto.AttributeType.INT }]),
        node('Unsqueeze', ['f', 'axes'], ['u']),
        node('Mul', ['u', 'scale'], ['out']),
      ],
      initializer: [
        initializer('scale', [1, 1, 4], [1, 2, 3, 4]),
        { name: 'axes', dims: [1], dataType: onnx.TensorProto.DataType.INT64, int64Data: [2] },
      ],
      input: [valueInfo('tokens', onnx.TensorProto.DataType.INT64, ['batch', 'seq'])],
      output: [valueInfo('out', onnx.TensorProto.DataType.FLOAT, ['batch', 'seq', 4])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

describe('smallscope probe field (CLI)', () => {
  it('prints position, theoretical radius/support, gradient and ERF for a conv stack', () => {
    const r = smallscope(
      'probe',
      'field',
      stack,
      '--tokens-file',
      tokensFile(30),
      '--position',
      '15',
      '--json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.position).toBe(15);
    expect(doc.theoretical.radius).toBe(9);
    expect(doc.theoretical.support).toEqual(Array.from({ length: 19 }, (_, i) => i - 9));
    expect(doc.gradient).toHaveLength(30);
    doc.gradient.forEach((g: number, s: number) => expect(g !== 0).toBe(Math.abs(s - 15) <= 9));
    expect(Object.keys(doc.erf)).toEqual(expect.arrayContaining(['r50', 'r90', 'r95', 'r99', 'sigma']));
    expect(doc.erf.r99).toBeLessThanOrEqual(9);
    expect(doc.erf_trf_ratio).toBeCloseTo(doc.erf.r95 / 9, 12);
  });

  it('through attention on the PyTorch Conv-Attn: the conv support is [-1, 0], the gradient reaches the causal prefix only', () => {
    const r = smallscope(
      'probe',
      'field',
      PYTORCH_MODEL,
      '--text',
      'abcdefghijabcdefghij',
      '--position',
      '12',
      '--json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.theoretical.support).toEqual([-1, 0]);
    doc.gradient.forEach((g: number, s: number) => expect(g > 0).toBe(s <= 12));
    expect(doc.one_sided).toBe(true);
  });

  it('refuses --position outside the sequence', () => {
    expectUsageError(
      smallscope('probe', 'field', stack, '--tokens-file', tokensFile(30), '--position', '30'),
      /--position 30 is outside the sequence: use 0\.\.29/,
    );
  });

  it('refuses an unknown objective', () => {
    expectUsageError(
      smallscope('probe', 'field', stack, '--objective', 'entropy'),
      /unknown objective 'entropy'/,
    );
  });

  it('refuses a graph whose embedding lookup cannot be found', () => {
    const path = join(scratch, 'noemb.onnx');
    writeFileSync(path, noEmbedding());
    expectUsageError(smallscope('probe', 'field', path), /no embedding lookup found/);
  });
});

function tokensFile(T: number): string {
  const path = join(scratch, `tokens${T}.json`);
  writeFileSync(path, JSON.stringify([Array.from({ length: T }, (_, i) => (i * 5 + 1) % 16)]));
  return path;
}
