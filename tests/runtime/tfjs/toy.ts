import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { decodeModel, type OnnxModel } from '../../../format/onnx/model';
import { GraphProgram } from '../../../runtime/tfjs/interpreter';

/** Tiny hand-written ONNX graphs for the interpreter's tests, and the same graph run by ONNX Runtime. */
const { AttributeType } = onnx.AttributeProto;
const { DataType } = onnx.TensorProto;

export type Attr =
  number | number[] | string | { float: number } | { floats: number[] } | { tensor: onnx.ITensorProto };

export interface ToyInput {
  name: string;
  dims: number[];
  data: number[];
  /** default float */
  type?: 'float' | 'int64' | 'bool';
}

export function toyNode(
  op: string,
  input: string[],
  output: string[],
  attrs: Record<string, Attr> = {},
): onnx.INodeProto {
  const attribute = Object.entries(attrs).map(([name, v]): onnx.IAttributeProto => {
    if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
    if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
    if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
    if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
    if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: v.floats };
    return { name, type: AttributeType.TENSOR, t: v.tensor };
  });
  return { opType: op, input, output, name: `${op}_${output[0]}`, attribute };
}

export const floats = (name: string, dims: number[], values: number[]): onnx.ITensorProto => ({
  name,
  dims,
  dataType: DataType.FLOAT,
  floatData: values,
});
export const int64s = (name: string, dims: number[], values: number[]): onnx.ITensorProto => ({
  name,
  dims,
  dataType: DataType.INT64,
  int64Data: values,
});

const ELEM = { float: DataType.FLOAT, int64: DataType.INT64, bool: DataType.BOOL };

/** A model of `nodes` over `inputs`, with `inits` as initializers and `outputs` (float unless typed). */
export function toyModel(
  opset: number,
  nodes: onnx.INodeProto[],
  inputs: ToyInput[],
  outputs: (string | { name: string; type: 'float' | 'int64' | 'bool' })[],
  inits: onnx.ITensorProto[] = [],
): OnnxModel {
  const info = (name: string, type: keyof typeof ELEM): onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: ELEM[type] } },
  });
  const proto: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'toy',
      node: nodes,
      initializer: inits,
      input: inputs.map((i) => info(i.name, i.type ?? 'float')),
      output: outputs.map((o) => (typeof o === 'string' ? info(o, 'float') : info(o.name, o.type))),
    },
  };
  return decodeModel(onnx.ModelProto.encode(proto).finish());
}

export function tfInput(i: ToyInput): tf.Tensor {
  if (i.type === 'int64') return tf.tensor(i.data, i.dims, 'int32');
  if (i.type === 'bool') return tf.tensor(Uint8Array.from(i.data), i.dims, 'bool');
  return tf.tensor(i.data, i.dims, 'float32');
}

/** Every output as the interpreter computes it: shape and values. */
export function interpret(
  model: OnnxModel,
  inputs: ToyInput[],
): Record<string, { dims: number[]; data: number[] }> {
  const program = new GraphProgram(model);
  try {
    return tf.tidy(() => {
      const feeds = Object.fromEntries(inputs.map((i) => [i.name, tfInput(i)]));
      const out = program.run(
        feeds,
        model.outputs.map((o) => o.name),
      );
      return Object.fromEntries(
        Object.entries(out).map(([k, t]) => [
          k,
          { dims: [...t.shape], data: Array.from(t.dataSync() as ArrayLike<number>, Number) },
        ]),
      );
    });
  } finally {
    program.dispose();
  }
}

/** Every output as ONNX Runtime computes it (graph optimizations off, as smallscope runs it). */
export async function runOrt(
  model: OnnxModel,
  inputs: ToyInput[],
): Promise<Record<string, { dims: number[]; data: number[] }>> {
  const session = await ort.InferenceSession.create(model.bytes, { graphOptimizationLevel: 'disabled' });
  const feeds = Object.fromEntries(
    inputs.map((i) => [
      i.name,
      i.type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(i.data, BigInt), i.dims)
        : i.type === 'bool'
          ? new ort.Tensor('bool', Uint8Array.from(i.data), i.dims)
          : new ort.Tensor('float32', Float32Array.from(i.data), i.dims),
    ]),
  );
  const out = await session.run(feeds);
  await session.release();
  return Object.fromEntries(
    Object.entries(out).map(([k, t]) => [
      k,
      { dims: [...t.dims], data: Array.from(t.data as ArrayLike<number | bigint | boolean>, Number) },
    ]),
  );
}
