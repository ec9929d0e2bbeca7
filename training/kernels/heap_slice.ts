import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel } from './override';

/**
 * Slice on the tfjs wasm backend as row copies inside the wasm heap.
 *
 * Why: the wasm backend's Slice kernel reads its input with `readSync`, which copies the whole input out of the
 * heap into a freshly allocated JS array before copying the slice back in. On a [64, 51, 256] float32 input
 * that copy cost 6-9 ms of CPU (a new 3 MB buffer, zeroed and faulted in), against 0.5 ms for the slice itself;
 * a conv-stack attention layer slices its conv output into queries and keys that way on every step. Here the
 * input and output are views of the same heap: the slice is cut into its longest contiguous runs (the sliced
 * axis times every trailing axis taken whole) and each run is one `copyWithin`. Strings keep the original
 * kernel.
 */
interface HeapBackend {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

let installed = false;

export function installHeapSlice(): void {
  if (installed || tf.getBackend() !== 'wasm') return;
  installed = overrideWasmKernel('Slice', (original) => (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') return original(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, shape] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const backend = args.backend as unknown as HeapBackend;
    const out = backend.makeOutput(shape, x.dtype);
    if (shape.some((n) => n === 0)) return out;
    // Views taken after makeOutput: an allocation may grow, and so replace, the heap's buffer.
    copySlice(backend.typedArrayFromHeap(x), x.shape, backend.typedArrayFromHeap(out), start, shape);
    return out;
  });
}

/**
 * out = x[start : start + shape] (row-major, any rank), in runs: from the last axis back, every axis taken whole
 * joins the run, and the first axis that is not (the sliced one) multiplies it. x and out may share a buffer.
 */
export function copySlice(
  x: Float32Array | Int32Array | Uint8Array,
  xShape: readonly number[],
  out: Float32Array | Int32Array | Uint8Array,
  start: readonly number[],
  shape: readonly number[],
): void {
  const rank = xShape.length;
  const strides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) ((strides[i] = s), (s *= xShape[i]!));
  // Axes [inner, rank) form one contiguous run of `run` elements in x.
  let inner = rank;
  let run = 1;
  while (inner > 0 && shape[inner - 1] === xShape[inner - 1]) run *= shape[--inner]!;
  if (inner > 0) run *= shape[--inner]!;
  let src = 0;
  for (let i = 0; i < rank; i++) src += start[i]! * strides[i]!;
  const total = out.length;
  const sameBuffer = x.buffer === out.buffer;
  const outBase = out.byteOffset / out.BYTES_PER_ELEMENT;
  const xBase = x.byteOffset / x.BYTES_PER_ELEMENT;
  const heap = sameBuffer ? new (x.constructor as Float32ArrayConstructor)(x.buffer as ArrayBuffer) : null;
  // An odometer over the axes before `inner`, advancing the source offset by their strides.
  const index = new Array<number>(inner).fill(0);
  for (let o = 0; o < total; o += run) {
    if (heap) heap.copyWithin(outBase + o, xBase + src, xBase + src + run);
    else out.set(x.subarray(src, src + run), o);
    for (let a = inner - 1; a >= 0; a--) {
      src += strides[a]!;
      if (++index[a]! < shape[a]!) break;
      src -= shape[a]! * strides[a]!;
      index[a] = 0;
    }
  }
}
