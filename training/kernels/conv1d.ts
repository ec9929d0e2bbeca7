import * as tf from '@tensorflow/tfjs-core';
import { addBias, matmul } from './batched';
import { heapBuffer, heapIndex, nativeKernels, nativeOps, type NativeBackend } from './native';

/**
 * Dilated 1-d convolution (PyTorch Conv1d(c_in, c_out, k, dilation=d, padding=(k-1)/2*d) for 'same', or a
 * causal one with only left padding) as one im2col copy and one matmul, with a hand-written gradient:
 *
 *     window[b*T + t, tau*C + c] = x[b, t + tau*d - r, c]   (0 outside [0, T))      r = the left padding
 *     out = window @ W[k*C, c_out] + b
 *     dW = window^T dy      db = sum_rows dy      dx = col2im(dy W^T)  (each window entry adds back to its x)
 *
 * Why: written with tf ops (pad, k slices, concat) the window costs 2k+2 kernels forward and as many
 * backward, and the wasm Slice kernel copies its whole input out of the heap once per slice. Here the window
 * is built by one kernel (`SmallscopeIm2Col`: row copies inside the wasm heap) and scattered back by one
 * (`SmallscopeCol2Im`: a JS loop over the heap). On backends other than wasm the same two kernels run on the
 * tensors' data through tf.tensor round trips. With the native addon (kernels/native.ts) no window is built
 * at all: the direct conv below takes each tap as one product on its valid rows.
 *
 * x: [batch, pos, c_in]; W: [k, c_in, c_out] (tap-major); b: [c_out].
 */
const IM2COL = 'SmallscopeIm2Col';
const COL2IM = 'SmallscopeCol2Im';

interface Attrs {
  k: number;
  dilation: number;
  /** Left zero padding in positions: (k - 1) / 2 * dilation for 'same', (k - 1) * dilation for causal. */
  padLeft: number;
}

/** window rows from x; x and win may be views of one heap (then rows move with copyWithin, no allocation). */
function im2colInto(
  heap: Float32Array,
  xOff: number,
  winHeap: Float32Array,
  winOff: number,
  B: number,
  T: number,
  C: number,
  k: number,
  d: number,
  r: number,
) {
  const rowLen = k * C;
  const same = heap === winHeap;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const row = winOff + (b * T + t) * rowLen;
      for (let tau = 0; tau < k; tau++) {
        const src = t + tau * d - r;
        const dst = row + tau * C;
        if (src < 0 || src >= T) winHeap.fill(0, dst, dst + C);
        else {
          const o = xOff + (b * T + src) * C;
          if (same) winHeap.copyWithin(dst, o, o + C);
          else winHeap.set(heap.subarray(o, o + C), dst);
        }
      }
    }
}

function col2imInto(
  dwin: Float32Array,
  dx: Float32Array,
  B: number,
  T: number,
  C: number,
  k: number,
  d: number,
  r: number,
) {
  const rowLen = k * C;
  dx.fill(0);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * rowLen;
      for (let tau = 0; tau < k; tau++) {
        const src = t + tau * d - r;
        if (src < 0 || src >= T) continue;
        const o = (b * T + src) * C;
        const s = row + tau * C;
        for (let c = 0; c < C; c++) dx[o + c] += dwin[s + c];
      }
    }
}

let registered = false;
function ensureKernels(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  if (registered) return true;
  // A float32 view of n elements of a tensor in the wasm heap (taken after any allocation: one may grow, and
  // so replace, the heap's buffer).
  const heap = (backend: unknown, t: tf.TensorInfo, n: number) =>
    new Float32Array(heapBuffer(backend), heapIndex(backend, t) * 4, n);
  tf.registerKernel({
    kernelName: IM2COL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as NativeBackend;
      const { k, dilation, padLeft } = attrs as unknown as Attrs;
      const x = inputs.x!;
      const [B, T, C] = x.shape;
      const out = be.makeOutput([B * T, k * C], 'float32');
      // One view of the whole heap, taken after the allocation (which may grow, and so replace, it).
      const f32 = new Float32Array(heapBuffer(be));
      im2colInto(f32, heapIndex(be, x), f32, heapIndex(be, out), B, T, C, k, dilation, padLeft);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: COL2IM,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const be = backend as unknown as NativeBackend;
      const { k, dilation, padLeft, B, T } = attrs as unknown as Attrs & { B: number; T: number };
      const dwin = inputs.dwin!;
      const C = dwin.shape[1] / k;
      const out = be.makeOutput([B, T, C], 'float32');
      col2imInto(heap(be, dwin, B * T * k * C), heap(be, out, B * T * C), B, T, C, k, dilation, padLeft);
      return out;
    },
  });
  registered = true;
  return true;
}

function im2col(x: tf.Tensor3D, k: number, dilation: number, padLeft: number): tf.Tensor2D {
  const [B, T, C] = x.shape;
  if (ensureKernels())
    return tf
      .engine()
      .runKernel(IM2COL, { x }, { k, dilation, padLeft } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  const win = new Float32Array(B * T * k * C);
  im2colInto(x.dataSync() as Float32Array, 0, win, 0, B, T, C, k, dilation, padLeft);
  return tf.tensor2d(win, [B * T, k * C]);
}

function col2im(
  dwin: tf.Tensor2D,
  B: number,
  T: number,
  k: number,
  dilation: number,
  padLeft: number,
): tf.Tensor3D {
  const C = dwin.shape[1] / k;
  if (ensureKernels())
    return tf.engine().runKernel(COL2IM, { dwin }, {
      k,
      dilation,
      padLeft,
      B,
      T,
    } as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  const dx = new Float32Array(B * T * C);
  col2imInto(dwin.dataSync() as Float32Array, dx, B, T, C, k, dilation, padLeft);
  return tf.tensor3d(dx, [B, T, C]);
}

const CONV = 'SmallscopeConv1d';
const CONV_DATA = 'SmallscopeConv1dBackwardData';
const CONV_FILTER = 'SmallscopeConv1dBackwardFilter';

/**
 * The direct native conv (native/gemm/src/conv.cc): accumulating products on shifted row ranges, no window.
 * Each pass reads two inputs and writes one output; `dims` gives [B, T, C, O] from the inputs' shapes
 * (k, dilation and padLeft travel as attributes).
 */
function directPass(
  run: 'conv1d' | 'conv1dBackwardData' | 'conv1dBackwardFilter',
  keys: [string, string],
  dims: (a: number[], b: number[]) => [number, number, number, number],
  outShape: (B: number, T: number, C: number, O: number, k: number) => number[],
): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const be = backend as unknown as NativeBackend;
    const a = inputs[keys[0]]!;
    const b = inputs[keys[1]]!;
    const { dilation, padLeft, k } = attrs as unknown as Attrs;
    const [B, T, C, O] = dims(a.shape, b.shape);
    const out = be.makeOutput(outShape(B, T, C, O, k), 'float32');
    const at = (t: tf.TensorInfo) => heapIndex(be, t);
    nativeOps()![run](heapBuffer(be), at(a), at(b), at(out), B, T, C, O, k, dilation, padLeft);
    return out;
  };
}

const directReady = nativeKernels({
  // x [B, T, C], W [k, C, O] -> out [B, T, O]
  [CONV]: directPass(
    'conv1d',
    ['x', 'w'],
    (x, w) => [x[0]!, x[1]!, x[2]!, w[2]!],
    (B, T, _C, O) => [B, T, O],
  ),
  // dy [B, T, O], W [k, C, O] -> dx [B, T, C]
  [CONV_DATA]: directPass(
    'conv1dBackwardData',
    ['dy', 'w'],
    (dy, w) => [dy[0]!, dy[1]!, w[1]!, w[2]!],
    (B, T, C) => [B, T, C],
  ),
  // x [B, T, C], dy [B, T, O] -> dW [k, C, O]
  [CONV_FILTER]: directPass(
    'conv1dBackwardFilter',
    ['x', 'dy'],
    (x, dy) => [x[0]!, x[1]!, x[2]!, dy[2]!],
    (_B, _T, C, O, k) => [k, C, O],
  ),
});

/** conv1d without bias on the direct native kernels (callers check directReady first). */
function directConv(x: tf.Tensor3D, W: tf.Tensor3D, dilation: number, padLeft: number): tf.Tensor3D {
  const k = W.shape[0];
  const attrs = { dilation, padLeft, k } as unknown as tf.NamedAttrMap;
  const f = tf.customGrad((xi, Wi, save) => {
    (save as (t: tf.Tensor[]) => void)([xi as tf.Tensor, Wi as tf.Tensor]);
    return {
      value: tf.engine().runKernel(CONV, { x: xi as tf.Tensor, w: Wi as tf.Tensor }, attrs) as tf.Tensor3D, // [batch, pos, c_out]
      gradFunc: (dy, saved) => {
        const [x0, W0] = saved as tf.Tensor[];
        return [
          tf.engine().runKernel(CONV_DATA, { dy: dy as tf.Tensor, w: W0! }, attrs) as tf.Tensor, // [batch, pos, c_in]
          tf.engine().runKernel(CONV_FILTER, { x: x0!, dy: dy as tf.Tensor }, attrs) as tf.Tensor, // [k, c_in, c_out]
        ];
      },
    };
  });
  return f(x, W) as tf.Tensor3D;
}

/**
 * 1-d convolution over positions with left zero padding `padLeft`:
 *     out[b, t] = bias + sum_tau x[b, t + tau*dilation - padLeft] @ W[tau]
 * x: [batch, pos, c_in], W: [k, c_in, c_out] (tap-major), b: [c_out] -> [batch, pos, c_out].
 */
export function conv1d(
  x: tf.Tensor3D,
  W: tf.Tensor3D,
  b: tf.Tensor1D,
  dilation: number,
  padLeft: number,
): tf.Tensor3D {
  const [B, T, C] = x.shape;
  const [k, , cOut] = W.shape;
  if (!(padLeft >= 0 && padLeft <= (k - 1) * dilation))
    throw new RangeError(`left padding ${padLeft} outside [0, ${(k - 1) * dilation}]`);
  if (directReady() && x.dtype === 'float32') return addBias(directConv(x, W, dilation, padLeft), b);
  const f = tf.customGrad((xi, Wi, save) => {
    const win = im2col(xi as tf.Tensor3D, k, dilation, padLeft); // [batch*pos, k*c_in]
    const W2 = tf.reshape(Wi as tf.Tensor, [k * C, cOut]) as tf.Tensor2D; // [k*c_in, c_out]
    (save as (t: tf.Tensor[]) => void)([win, W2]);
    return {
      value: tf.reshape(tf.matMul(win, W2), [B, T, cOut]), // [batch, pos, c_out]
      gradFunc: (dy, saved) => {
        const [w0, W0] = saved as tf.Tensor2D[];
        const dy2 = tf.reshape(dy as tf.Tensor, [B * T, cOut]) as tf.Tensor2D; // [batch*pos, c_out]
        const dx = col2im(matmul(dy2, W0, false, true), B, T, k, dilation, padLeft); // [batch, pos, c_in]
        const dW = tf.reshape(matmul(w0, dy2, true), [k, C, cOut]); // [k, c_in, c_out]
        return [dx, dW];
      },
    };
  });
  return addBias(f(x, W) as tf.Tensor3D, b);
}

/** PyTorch Conv1d(c_in, c_out, k, dilation=d, padding=(k-1)/2*d): the centred ('same') dilated conv. */
export function dilatedConvSame(
  x: tf.Tensor3D,
  W: tf.Tensor3D,
  b: tf.Tensor1D,
  dilation: number,
): tf.Tensor3D {
  const k = W.shape[0];
  if (k % 2 !== 1) throw new RangeError(`'same' padding needs an odd kernel, got ${k}`);
  return conv1d(x, W, b, dilation, ((k - 1) / 2) * dilation);
}
