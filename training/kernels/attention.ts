import * as tf from '@tensorflow/tfjs-core';
import { matmul } from './batched';

/**
 * The core of causal attention with a hand-written gradient that runs on the backend's fast kernels:
 *
 *     S = Q K^T * scale + M          P = softmax(S) (rows)          Z = P V
 *
 * for q, k, v: [n, T, d] (n = batch * heads) and an additive mask M: [T, T] (0 or -inf). Returns Z and P.
 * Backward, given dZ:
 *
 *     dP = dZ V^T       dV = P^T dZ      dS = P * (dP - rowsum(dP * P))      dQ = dS K * scale
 *     dK = dS^T Q * scale
 *
 * Every product goes through `matmul` (batched.ts): transposed operands are read in place by the native matmul,
 * or materialised first on the plain wasm backend.
 * Masked entries have P = 0 exactly, hence dS = 0 there: no gradient reaches future keys. The pattern P is a
 * side output for the probes and hooks: no gradient flows back through it (a loss must not read it). `mask`
 * may be omitted (full attention).
 */
export function attentionCore(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor2D | undefined,
  scale: number,
): { z: tf.Tensor3D; pattern: tf.Tensor3D } {
  let pattern: tf.Tensor3D | undefined;
  const f = tf.customGrad((qi, ki, vi, save) => {
    const Q = qi as tf.Tensor3D;
    const K = ki as tf.Tensor3D;
    const V = vi as tf.Tensor3D;
    const P = tf.tidy(() => {
      const S = tf.mul(matmul(Q, K, false, true), scale); // [n, T, T]
      return tf.softmax(mask ? tf.add(S, mask) : S);
    }) as tf.Tensor3D; // [n, T, T]
    pattern = tf.keep(P); // survives the tidy customGrad runs the forward in; handed to the caller's scope below
    const Z = matmul(P, V); // [n, T, d]
    (save as (t: tf.Tensor[]) => void)([Q, K, V, P]);
    return {
      value: Z,
      gradFunc: (dy, saved) => {
        const dZ = dy as tf.Tensor3D;
        const [Q0, K0, V0, P0] = saved as tf.Tensor3D[];
        const dP = matmul(dZ, V0, false, true); // [n, T, T]
        const dV = matmul(P0, dZ, true); // [n, T, d]
        const dPP = tf.mul(dP, P0);
        const dS = tf.mul(tf.sub(dPP, tf.mul(tf.sum(dPP, -1, true), P0)), scale) as tf.Tensor3D; // [n, T, T] (scale folded in)
        const dQ = matmul(dS, K0); // [n, T, d]
        const dK = matmul(dS, Q0, true); // [n, T, d]
        return [dQ, dK, dV];
      },
    };
  });
  const z = f(q, k, v) as tf.Tensor3D;
  const kept = pattern!;
  const out = tf.clone(kept); // shares the data, owned by the caller's scope
  kept.dispose();
  return { z, pattern: out };
}

/**
 * The same computation written plainly with tf ops and tfjs's own autodiff: the readable definition that
 * attentionCore's hand-written gradient must equal (tests/training/kernels/gradients.test.ts), kept here as
 * nanoGPT keeps its manual attention beside the fused call. Slower: tfjs materialises K^T and the masked scores.
 */
export function attentionReference(
  q: tf.Tensor3D, // [n, query, d]
  k: tf.Tensor3D, // [n, key, d]
  v: tf.Tensor3D, // [n, key, d]
  mask: tf.Tensor2D | undefined, // [query, key]: 0 or -inf
  scale: number,
): { z: tf.Tensor3D; pattern: tf.Tensor3D } {
  const scores = tf.mul(tf.matMul(q, k, false, true), scale); // [n, query, key]
  const pattern = tf.softmax(mask ? tf.add(scores, mask) : scores) as tf.Tensor3D; // rows sum to 1
  return { z: tf.matMul(pattern, v), pattern }; // z: [n, query, d]
}
