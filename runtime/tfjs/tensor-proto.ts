import * as tf from '@tensorflow/tfjs-core';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { tensorData, toInt } from '../../format/onnx/tensor-data';
import { checkedDims } from '../../format/onnx/validate';
import { UnsupportedOp } from './ops/context';

/**
 * An ONNX TensorProto (an initializer, a Constant's value) as a tfjs tensor. tfjs has float32, int32 and bool:
 * every float type becomes float32, every integer type int32 and BOOL bool. Integers are read exactly from the
 * tensor's own fields (tensorData goes through float32, which rounds past 2^24) and clamped to int32: the only
 * int64 values past that range in real graphs are "to the end" sentinels (Slice ends of INT64_MAX), which
 * clamping keeps meaning the same thing.
 */
const T = onnx.TensorProto.DataType;
const FLOATS = new Set<number>([T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16]);
const INTS = new Set<number>([T.INT64, T.INT32, T.INT16, T.INT8, T.UINT8, T.UINT16, T.UINT32, T.UINT64]);
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

export function dtypeOf(dataType: number): tf.DataType | null {
  if (FLOATS.has(dataType)) return 'float32';
  if (INTS.has(dataType)) return 'int32';
  if (dataType === T.BOOL) return 'bool';
  return null;
}

export function protoTensor(t: onnx.ITensorProto, node = ''): tf.Tensor {
  const dtype = dtypeOf(t.dataType ?? 0);
  if (dtype === null) throw new UnsupportedOp('Constant', node, `element type ${t.dataType} of '${t.name}'`);
  if (dtype === 'float32') {
    const { dims, data } = tensorData(t);
    return tf.tensor(data, dims, 'float32');
  }
  const { dims, n } = checkedDims(t);
  const values = exactInts(t, n);
  return dtype === 'bool'
    ? tf.tensor(
        Uint8Array.from(values, (v) => (v ? 1 : 0)),
        dims,
        'bool',
      )
    : tf.tensor(Int32Array.from(values), dims, 'int32');
}

function clamp(v: number): number {
  return Math.min(INT32_MAX, Math.max(INT32_MIN, v));
}

function exactInts(t: onnx.ITensorProto, n: number): number[] {
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  if (!raw) {
    const list: unknown[] =
      t.dataType === T.INT64 || t.dataType === T.UINT64
        ? (t.int64Data ?? t.uint64Data ?? [])
        : t.dataType === T.UINT32
          ? (t.uint64Data ?? [])
          : (t.int32Data ?? []);
    return Array.from({ length: n }, (_, i) => clamp(toInt(list[i] ?? 0)));
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size: Record<number, number> = {
    [T.INT64]: 8,
    [T.UINT64]: 8,
    [T.INT32]: 4,
    [T.UINT32]: 4,
    [T.INT16]: 2,
    [T.UINT16]: 2,
    [T.INT8]: 1,
    [T.UINT8]: 1,
    [T.BOOL]: 1,
  };
  const bytes = size[t.dataType ?? 0];
  if (view.byteLength !== n * bytes) {
    throw new UnsupportedOp('Constant', '', `'${t.name}' has ${view.byteLength} raw bytes for ${n} values`);
  }
  const read = (i: number): number => {
    switch (t.dataType) {
      case T.INT64:
        return clamp(Number(view.getBigInt64(8 * i, true)));
      case T.UINT64:
        return clamp(Number(view.getBigUint64(8 * i, true)));
      case T.INT32:
        return view.getInt32(4 * i, true);
      case T.UINT32:
        return clamp(view.getUint32(4 * i, true));
      case T.INT16:
        return view.getInt16(2 * i, true);
      case T.UINT16:
        return view.getUint16(2 * i, true);
      case T.INT8:
        return view.getInt8(i);
      default:
        return view.getUint8(i);
    }
  };
  return Array.from({ length: n }, (_, i) => read(i));
}
