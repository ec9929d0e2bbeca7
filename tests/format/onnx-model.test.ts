import { describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { constantTensor, decodeModel } from '../../format/onnx/model';
import { tensorData } from '../../format/onnx/tensor-data';
import { floatRaw, tinyModel } from '../helpers/onnx-builder';

const manifest = {
  format: 1,
  name: 'tiny',
  arch: {
    kind: 'conv-attn',
    vocab: 8,
    d_model: 4,
    n_heads: 1,
    kernel: 3,
    residual: false,
    pos_embed: false,
    max_seq: 64,
  },
  tokenizer: 'bytes',
  task: { name: 'text' },
  training: {
    seed: 0,
    steps: 1,
    batch: 1,
    seq_len: 8,
    lr: 0.001,
    warmup: 0,
    weight_decay: 0,
    backend: 'cpu',
  },
  step: 1,
  params: 64,
  history: [],
  created: '2026-01-01T00:00:00Z',
};

describe('decoding ONNX models', () => {
  it('refuses bytes that are not protobuf with a one-line UsageError', () => {
    const garbage = new TextEncoder().encode('this is a README, not a model\n');
    expect(() => decodeModel(garbage)).toThrow(UsageError);
    expect(() => decodeModel(garbage)).toThrow(/not an ONNX model/);
  });

  it('refuses a protobuf message without a graph', () => {
    const empty = onnx.ModelProto.encode({ irVersion: 8 }).finish();
    expect(() => decodeModel(empty)).toThrow('not an ONNX model (no graph with nodes in the file)');
  });

  it('lists inputs and outputs with symbolic and fixed dims, and the default-domain opset', () => {
    const m = decodeModel(tinyModel({ opset: 13 }));
    expect(m.opset).toBe(13);
    expect(m.irVersion).toBe(8);
    expect(m.inputs).toEqual([{ name: 'tokens', elemType: 'int64', dims: ['batch', 'seq'] }]);
    expect(m.outputs[0]).toEqual({ name: 'logits', elemType: 'float', dims: ['batch', 'seq', 8] });
    expect(m.manifest).toBeNull();
  });

  it('reads initializers from rawData and from floatData alike', () => {
    const raw = decodeModel(tinyModel());
    const typed = decodeModel(tinyModel({ floatData: true }));
    const a = constantTensor(raw, 'embed')!;
    const b = constantTensor(typed, 'embed')!;
    expect(a.dims).toEqual([8, 4]);
    expect(a.data).toEqual(b.data);
    expect(a.data[0]).toBeCloseTo(Math.sin(1) * 0.5, 6);
  });

  it('reads rawData at an unaligned byte offset', () => {
    const values = [1.5, -2.25, 3.125];
    const padded = new Uint8Array(1 + 12);
    padded.set(floatRaw(values), 1);
    const t = {
      name: 'w',
      dims: [3],
      dataType: onnx.TensorProto.DataType.FLOAT,
      rawData: padded.subarray(1),
    };
    expect(Array.from(tensorData(t).data)).toEqual(values);
  });

  it('reads int64 data given as Long values and as raw little-endian bytes', () => {
    const decoded = onnx.TensorProto.decode(
      onnx.TensorProto.encode({
        name: 'i',
        dims: [2],
        dataType: onnx.TensorProto.DataType.INT64,
        int64Data: [7, -3],
      }).finish(),
    );
    expect(Array.from(tensorData(decoded).data)).toEqual([7, -3]);
    const raw = new Uint8Array(16);
    new DataView(raw.buffer).setBigInt64(0, 5n, true);
    new DataView(raw.buffer).setBigInt64(8, -9n, true);
    const t = { name: 'r', dims: [2], dataType: onnx.TensorProto.DataType.INT64, rawData: raw };
    expect(Array.from(tensorData(t).data)).toEqual([5, -9]);
  });

  it('reads the smallscope manifest from metadata_props', () => {
    const m = decodeModel(tinyModel({ metadata: [{ key: 'smallscope', value: JSON.stringify(manifest) }] }));
    expect(m.manifest?.arch.vocab).toBe(8);
    expect(m.manifestError).toBeNull();
  });

  it('keeps the model usable when the manifest is invalid, and says why', () => {
    const m = decodeModel(tinyModel({ metadata: [{ key: 'smallscope', value: '{"format": 1}' }] }));
    expect(m.manifest).toBeNull();
    expect(m.manifestError).toMatch(/manifest is invalid/);
  });
});
