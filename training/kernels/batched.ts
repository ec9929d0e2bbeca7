import * as tf from '@tensorflow/tfjs-core';
import { heapBuffer, heapIndex, nativeKernels, nativeMatMul, nativeOps, type NativeBackend } from './native';

/**
 * Batched matrix products on the fast path of the tfjs WebAssembly backend.
 *
 * Why: that backend sends a matmul with batch 1 and no transpose flags to XNNPACK (~20 GFLOP/s on one core
 * here), but a BatchMatMul with batch > 1, or with a transposed operand, runs a naive loop (~2 GFLOP/s).
 * Attention's [batch, T, T] products were half of a training step that way. Unstacking with tf.unstack does
 * not help: the wasm Slice kernel copies the whole input out of the heap once per slice.
 *
 * So `bmm` is a kernel of its own (`SmallscopeBatchMatMul`, wasm only): for each batch entry it registers
 * zero-copy views of a[i], b[i] and out[i] in the wasm heap (tensor infos whose memory lies inside the
 * operands' buffers) and runs the backend's own batch-1 matmul on them, so every product goes to XNNPACK and
 * nothing is copied. The views are unregistered without freeing their memory (it belongs to the operands).
 * On other backends (tfjs-node) it is plain tf.matMul, which is fast there.
 */
export const BMM_KERNEL = 'SmallscopeBatchMatMul';

interface WasmData {
  id: number;
  memoryOffset: number;
}
interface WasmBackendLike {
  dataIdMap: { get(d: object): WasmData; delete(d: object): boolean };
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): tf.TensorInfo;
  wasm: {
    cwrap: (name: string, ret: null, args: string[]) => (...a: unknown[]) => void;
    tfjs: { disposeData(id: number): void };
  };
}

let wasmMatMul: ((...a: unknown[]) => void) | undefined;
let registered = false;

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function bmmKernel(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const a = args.inputs.a!;
  const b = args.inputs.b!;
  const [n, r, k] = a.shape;
  const c = b.shape[2];
  if (b.shape[0] !== n || b.shape[1] !== k)
    throw new Error(`bmm: shapes ${a.shape} and ${b.shape} do not match`);
  wasmMatMul ??= backend.wasm.cwrap('BatchMatMul', null, [
    'number',
    'array',
    'number',
    'number',
    'array',
    'number',
    'number',
    'number',
    'number',
  ]);
  const out = backend.makeOutput([n, r, c], 'float32');
  const aOff = backend.dataIdMap.get(a.dataId).memoryOffset;
  const bOff = backend.dataIdMap.get(b.dataId).memoryOffset;
  const oOff = backend.dataIdMap.get(out.dataId).memoryOffset;
  const aShape = shapeBytes([1, r, k]);
  const bShape = shapeBytes([1, k, c]);
  const view = (offset: number, shape: number[]) => backend.makeOutput(shape, 'float32', offset);
  const release = (t: tf.TensorInfo) => {
    // Unregister only: the memory belongs to the operand. Disposing the id also drops the XNNPACK operator
    // cached for it (its packed weights), so the next view with new contents gets a fresh one.
    backend.wasm.tfjs.disposeData(backend.dataIdMap.get(t.dataId).id);
    backend.dataIdMap.delete(t.dataId);
  };
  for (let i = 0; i < n; i++) {
    const ai = view(aOff + i * r * k * 4, [1, r, k]);
    const bi = view(bOff + i * k * c * 4, [1, k, c]);
    const oi = view(oOff + i * r * c * 4, [1, r, c]);
    const id = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).id;
    wasmMatMul(id(ai), aShape, 3, id(bi), bShape, 3, false, false, id(oi));
    release(ai);
    release(bi);
    release(oi);
  }
  return out;
}

function ensureKernel(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (!registered) {
    tf.registerKernel({
      kernelName: BMM_KERNEL,
      backendName: 'wasm',
      kernelFunc: bmmKernel as tf.KernelFunc,
    });
    registered = true;
  }
  return true;
}

/** Materialised transpose of the last two axes of a 3-d tensor: [n, r, c] -> [n, c, r]. */
export function transposeLast(x: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(x, [0, 2, 1]);
}

/**
 * a @ b for a: [n, r, k], b: [n, k, c] -> [n, r, c], float32. No gradient of its own: it is used inside
 * hand-written gradients (kernels/attention.ts).
 */
export function bmm(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (nativeMatMul() || !ensureKernel() || a.dtype !== 'float32' || b.dtype !== 'float32')
    return tf.matMul(a, b);
  return tf.engine().runKernel(BMM_KERNEL, { a, b }, {}) as tf.Tensor3D;
}

/**
 * op(a) @ op(b), op = transpose of the last two axes where asked, for 2-d operands or 3-d ones with the same
 * batch. With the native matmul (kernels/native.ts) or a native tfjs backend the flags go straight to the
 * kernel, which reads transposed operands through strides; on the plain wasm backend the transposed operand
 * is materialised first, because the wasm matmul with a transpose flag takes a naive loop.
 */
export function matmul<T extends tf.Tensor2D | tf.Tensor3D>(
  a: T,
  b: T,
  transposeA = false,
  transposeB = false,
): T {
  if (nativeMatMul() || tf.getBackend() !== 'wasm') return tf.matMul(a, b, transposeA, transposeB) as T;
  const t = (x: T) => (x.rank === 3 ? transposeLast(x as tf.Tensor3D) : tf.transpose(x)) as T;
  const A = transposeA ? t(a) : a;
  const B = transposeB ? t(b) : b;
  return (A.rank === 3 ? bmm(A as tf.Tensor3D, B as tf.Tensor3D) : tf.matMul(A, B)) as T;
}

const SUM_ROWS = 'SmallscopeSumRows';
const sumRowsReady = nativeKernels({
  [SUM_ROWS]: ({ inputs, backend }) => {
    const be = backend as unknown as NativeBackend;
    const t = inputs.x!;
    const [rows, n] = t.shape;
    const out = be.makeOutput([n!], 'float32');
    nativeOps()!.sumRows(heapBuffer(be), heapIndex(be, t), rows!, n!, heapIndex(be, out));
    return out;
  },
});

/** Column sums of x [rows, n] -> [n]: one native pass, or tf.sum over axis 0. */
function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  if (!sumRowsReady()) return tf.sum(x, 0);
  return tf.engine().runKernel(SUM_ROWS, { x }) as tf.Tensor1D;
}

/**
 * x + b for x: [..., n] and b: [n], with b's gradient a native column sum: the wasm Sum kernel transposes
 * a reduction over a leading axis first, which made bias gradients a tenth of a seed-002 step.
 */
export function addBias<T extends tf.Tensor>(x: T, b: tf.Tensor1D): T {
  const n = b.shape[0];
  const rows = x.size / n;
  const f = tf.customGrad((xi, bi) => ({
    value: tf.add(xi as tf.Tensor, bi as tf.Tensor),
    gradFunc: (dy) => [dy, sumRows(tf.reshape(dy as tf.Tensor, [rows, n]) as tf.Tensor2D)], // [n]
  }));
  return f(x, b) as T;
}
