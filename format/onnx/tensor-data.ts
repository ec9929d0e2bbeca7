import { onnx } from './gen/onnx.js';
import { UsageError } from '../errors';
import { checkedDims } from './validate';

/**
 * The values of a TensorProto as float32, whichever way the exporter stored them. PyTorch writes rawData
 * (little-endian bytes); hand-built models often use the typed repeated fields (floatData, int64Data). rawData
 * arrives as a view into the file at an arbitrary byte offset, so it is read through a DataView (no alignment
 * requirement, explicit little-endian) rather than by wrapping its buffer in a Float32Array.
 */
export function tensorData(t: onnx.ITensorProto): { dims: number[]; data: Float32Array } {
  // Dims are checked (integers >= 0, a bounded element count) before the output buffer is allocated.
  const { dims, n } = checkedDims(t);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0) {
    throw new UsageError(
      `tensor '${t.name}' is stored in an external data file, which smallscope does not read`,
    );
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  const T = onnx.TensorProto.DataType;
  const known = new Set<number>([
    T.FLOAT,
    T.DOUBLE,
    T.FLOAT16,
    T.BFLOAT16,
    T.INT64,
    T.INT32,
    T.INT16,
    T.INT8,
    T.UINT16,
    T.UINT8,
    T.BOOL,
  ]);
  if (!known.has(t.dataType ?? 0)) {
    throw new UsageError(
      `tensor '${t.name}' has element type ${t.dataType}, which smallscope cannot read as numbers`,
    );
  }
  const need = (bytesPer: number) => {
    if (view && view.byteLength !== n * bytesPer) {
      throw new UsageError(`tensor '${t.name}' has ${view.byteLength} raw bytes, expected ${n * bytesPer}`);
    }
  };
  const out = new Float32Array(n);
  switch (t.dataType) {
    case T.FLOAT:
      need(4);
      if (view) for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      else out.set(t.floatData ?? []);
      break;
    case T.DOUBLE:
      need(8);
      if (view) for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      else out.set(t.doubleData ?? []);
      break;
    case T.FLOAT16:
    case T.BFLOAT16: {
      need(2);
      const half = t.dataType === T.FLOAT16 ? fromFloat16 : fromBfloat16;
      // Without rawData, 16-bit values are stored one per int32Data entry.
      for (let i = 0; i < n; i++) out[i] = half(view ? view.getUint16(2 * i, true) : (t.int32Data?.[i] ?? 0));
      break;
    }
    case T.INT64:
      need(8);
      if (view) for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, true));
      else (t.int64Data ?? []).forEach((v, i) => (out[i] = toInt(v)));
      break;
    case T.INT32:
    case T.INT16:
    case T.INT8:
    case T.UINT16:
    case T.UINT8:
    case T.BOOL: {
      const size = t.dataType === T.INT32 ? 4 : t.dataType === T.INT16 || t.dataType === T.UINT16 ? 2 : 1;
      need(size);
      const read = (i: number): number => {
        if (!view) return t.int32Data?.[i] ?? 0;
        if (t.dataType === T.INT32) return view.getInt32(4 * i, true);
        if (t.dataType === T.INT16) return view.getInt16(2 * i, true);
        if (t.dataType === T.UINT16) return view.getUint16(2 * i, true);
        if (t.dataType === T.INT8) return view.getInt8(i);
        return view.getUint8(i);
      };
      for (let i = 0; i < n; i++) out[i] = read(i);
      break;
    }
    default:
      throw new UsageError(
        `tensor '${t.name}' has element type ${t.dataType}, which smallscope cannot read as numbers`,
      );
  }
  return { dims, data: out };
}

function fromFloat16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function fromBfloat16(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, h << 16);
  return v.getFloat32(0);
}

/** protobufjs gives int64 fields as Long (or number, or bigint, depending on what is installed). */
export function toInt(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function')
    return (v as { toNumber(): number }).toNumber();
  throw new Error(`not an integer: ${String(v)}`);
}
