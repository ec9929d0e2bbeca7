import * as tf from '@tensorflow/tfjs-core';
import type { FeedTensor } from '../../format/feeds';

/** A runtime-neutral feed (format/feeds.ts) as a tfjs tensor: int64 ids become int32, as every int here. */
export function feedTensor(f: FeedTensor): tf.Tensor {
  switch (f.type) {
    case 'float32':
      return tf.tensor(f.data as Float32Array, f.dims, 'float32');
    case 'bool':
      return tf.tensor(f.data as Uint8Array, f.dims, 'bool');
    case 'int32':
      return tf.tensor(f.data as Int32Array, f.dims, 'int32');
    default:
      return tf.tensor(Int32Array.from(f.data as BigInt64Array, Number), f.dims, 'int32');
  }
}
