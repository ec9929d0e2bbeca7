import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel } from './override';

/**
 * Identity and same-dtype Cast without a copy on the tfjs wasm backend.
 *
 * Why: the wasm backend's Identity and Cast kernels allocate and copy the whole tensor, and tfjs calls them
 * for bookkeeping on every training step: `save` in a custom gradient clones each saved tensor, and the
 * gradient of a clone is a float32 -> float32 Cast. On a seed-000 step that was 77 Identity and 20 Cast
 * copies (~10 ms of a ~100 ms step), among them the [batch*pos, k*C] conv windows. tfjs tensors are
 * immutable, so the output may share the input's memory: the kernels below return the input's data id with
 * its reference count raised, exactly as the wasm Reshape kernel does. Casts that change the dtype keep the
 * original kernel.
 */
interface RefCounting {
  incRef(dataId: object): void;
}

let installed = false;

export function installZeroCopyIdentity(): void {
  if (installed || tf.getBackend() !== 'wasm') return;
  if (!tf.getKernel('Cast', 'wasm') || !tf.getKernel('Identity', 'wasm')) return;
  const share = (x: tf.TensorInfo, backend: unknown): tf.TensorInfo => {
    (backend as RefCounting).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  overrideWasmKernel(
    'Identity',
    () =>
      ({ inputs, backend }) =>
        share(inputs.x!, backend),
  );
  overrideWasmKernel('Cast', (cast) => (args) => {
    const x = args.inputs.x!;
    const { dtype } = args.attrs as { dtype: string };
    return dtype === x.dtype && dtype !== 'string' ? share(x, args.backend) : cast(args);
  });
  installed = true;
}
