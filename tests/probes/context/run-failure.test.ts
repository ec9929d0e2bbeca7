import { describe, expect, it } from 'vitest';
import { PYTORCH_GPT2 } from '../../fixtures/paths';
import { openModelFile } from '../../../bin/model/files';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { UsageError } from '../../../format/errors';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { decodeModel } from '../../../format/onnx/model';
import { cleanOrtMessage, loadFailure, runFailure } from '../../../probes/run-failure';
import { valueInfo } from '../../helpers/onnx-builder';

/** ONNX Runtime's failures as one-line UsageErrors naming the node and the cause (probes/run-failure.ts). */
const gpt2 = openModelFile(PYTORCH_GPT2);
const web = (node: string, op: string, status: string) =>
  new Error(
    `failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Non-zero status code returned while running ${op} node. Name:'${node}' Status Message: ${status}`,
  );

describe('runFailure', () => {
  it("reads onnxruntime-web's OrtRun message: past the position table, with the input's length", () => {
    const e = runFailure(
      web(
        '/wpe/Gather',
        'Gather',
        'indices element out of data bounds, idx=128 must be within the inclusive range [-128,127]',
      ),
      gpt2,
      198,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toBe(
      "ONNX Runtime failed in Gather node '/wpe/Gather': index 128 is past its 128 rows " +
        "(the input has 198 tokens; the model's position table holds 128)",
    );
  });

  it('names a token id past the vocabulary when the failing Gather is the token embedding', () => {
    const e = runFailure(
      web(
        '/wte/Gather',
        'Gather',
        'indices element out of data bounds, idx=300 must be within the inclusive range [-256,255]',
      ),
      gpt2,
      4,
    );
    expect(e.message).toBe(
      "ONNX Runtime failed in Gather node '/wte/Gather': index 300 is past its 256 rows (a token id is past the model's 256-token vocabulary)",
    );
  });

  it('keeps an unrecognised status in one line, without ORT source paths', () => {
    const raw =
      "Non-zero status code returned while running MatMul node. Name:'/m/MatMul' Status Message: " +
      '/onnxruntime_src/onnxruntime/core/providers/cpu/math/matmul_helper.h:142 onnxruntime::MatMulComputeHelper::Compute(const onnxruntime::TensorShape&, const onnxruntime::TensorShape&, bool, bool, bool, bool) left operand cannot broadcast on dim 0\n';
    expect(runFailure(new Error(raw), null, 3).message).toBe(
      "ONNX Runtime failed in MatMul node '/m/MatMul': left operand cannot broadcast on dim 0",
    );
  });

  it('passes a UsageError through unchanged, and cuts a long message to one line of at most 300 characters', () => {
    const u = new UsageError('already one line');
    expect(runFailure(u, null, 1)).toBe(u);
    const long = cleanOrtMessage(`a\n${'x'.repeat(1000)}`);
    expect(long).toHaveLength(300);
    expect(long).not.toContain('\n');
  });
});

describe('loadFailure', () => {
  it('a graph ONNX Runtime cannot load (an operator that does not exist) is a one-line UsageError from the runner', async () => {
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [{ opType: 'NoSuchOp', input: ['ids'], output: ['y'], name: 'strange' }],
        input: [valueInfo('ids', onnx.TensorProto.DataType.INT64, ['b', 't'])],
        output: [valueInfo('y', onnx.TensorProto.DataType.FLOAT, ['b', 't'])],
      },
    }).finish();
    const err = await createNodeRunner(decodeModel(bytes), bytes).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/^ONNX Runtime cannot load this model: .*NoSuchOp/);
    expect((err as Error).message).not.toContain('\n');
    expect(loadFailure(err)).toBe(err);
  });
});
