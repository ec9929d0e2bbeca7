import * as tf from '@tensorflow/tfjs-core';

/**
 * The selective scan h_t = a_t * h_{t-1} + b_t (h_{-1} = 0, elementwise over [batch, E, N]) as one op with
 * a hand-written gradient, computed with plain loops over the tensors' data.
 *
 * Why not a loop of tf ops: on the wasm backend each position costs a few kernel launches (slice, mul, add)
 * and their gradients a padded full-size tensor per slice; a 6-layer seed-size step measured 0.8-4 s, most of
 * it in Slice/Unpack, against the few milliseconds the 2 x B T E N multiply-adds take in a loop. The
 * gradient is the same recurrence run backwards:
 *
 *   g_t = dh_t + a_{t+1} g_{t+1}        (g: dLoss/dh_t through every later position)
 *   da_t = g_t h_{t-1},  db_t = g_t
 *
 * tests/training/seeds/mamba.test.ts checks both against finite differences and the forward against a
 * float64 reference.
 */

/** h_t for every t. a, b, h: [batch, pos, E, N] row-major; the recurrence runs along pos. */
export function scanForward(
  a: Float32Array,
  b: Float32Array,
  B: number,
  T: number,
  EN: number,
): Float32Array {
  const h = new Float32Array(a.length);
  for (let n = 0; n < B; n++) {
    const base = n * T * EN;
    h.set(b.subarray(base, base + EN), base); // t = 0: h_{-1} = 0
    for (let t = 1; t < T; t++) {
      const i0 = base + t * EN;
      for (let j = i0; j < i0 + EN; j++) h[j] = a[j] * h[j - EN] + b[j];
    }
  }
  return h;
}

/** (da, db) from the output gradient dh, the decays a and the states h of scanForward. */
export function scanBackward(
  dh: Float32Array,
  a: Float32Array,
  h: Float32Array,
  B: number,
  T: number,
  EN: number,
): [Float32Array, Float32Array] {
  const g = new Float32Array(dh.length); // = db
  const da = new Float32Array(dh.length);
  for (let n = 0; n < B; n++) {
    const base = n * T * EN;
    for (let t = T - 1; t >= 0; t--) {
      const i0 = base + t * EN;
      for (let j = i0; j < i0 + EN; j++) {
        g[j] = t === T - 1 ? dh[j] : dh[j] + a[j + EN] * g[j + EN];
        da[j] = t === 0 ? 0 : g[j] * h[j - EN];
      }
    }
  }
  return [da, g];
}

/** h = scan(dA, dBu), all [batch, pos, E, N], differentiable in both inputs. */
export function selectiveScan(dA: tf.Tensor4D, dBu: tf.Tensor4D): tf.Tensor4D {
  const [B, T, E, N] = dA.shape;
  const f = tf.customGrad((aIn, bIn, save) => {
    const a = aIn as tf.Tensor4D;
    const aData = a.dataSync() as Float32Array;
    const h = tf.tensor4d(scanForward(aData, (bIn as tf.Tensor4D).dataSync() as Float32Array, B, T, E * N), [
      B,
      T,
      E,
      N,
    ]); // [batch, pos, E, N]
    (save as (t: tf.Tensor[]) => void)([a, h]);
    return {
      value: h,
      gradFunc: (dy, saved) => {
        const [a0, h0] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [da, db] = scanBackward(
          (dy as tf.Tensor4D).dataSync() as Float32Array,
          a0.dataSync() as Float32Array,
          h0.dataSync() as Float32Array,
          B,
          T,
          E * N,
        );
        return [tf.tensor4d(da, [B, T, E, N]), tf.tensor4d(db, [B, T, E, N])]; // [batch, pos, E, N] each
      },
    };
  });
  return f(dA, dBu) as tf.Tensor4D;
}
