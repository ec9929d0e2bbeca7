import * as tf from '@tensorflow/tfjs-core';
import { bmm, transposeLast } from './batched';

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
 * Every product is a batch of untransposed 2-d matmuls (see batched.ts); transposes are materialised first.
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
      const S = tf.mul(bmm(Q, transposeLast(K)), scale); // [n, T, T]
      return tf.softmax(mask ? tf.add(S, mask) : S);
    }) as tf.Tensor3D; // [n, T, T]
    pattern = tf.keep(P); // survives the tidy customGrad runs the forward in; handed to the caller's scope below
    const Z = bmm(P, V); // [n, T, d]
    (save as (t: tf.Tensor[]) => void)([Q, K, V, P]);
    return {
      value: Z,
      gradFunc: (dy, saved) => {
        const dZ = dy as tf.Tensor3D;
        const [Q0, K0, V0, P0] = saved as tf.Tensor3D[];
        const dP = bmm(dZ, transposeLast(V0)); // [n, T, T]
        const dV = bmm(transposeLast(P0), dZ); // [n, T, d]
        const dPP = tf.mul(dP, P0);
        const dS = tf.mul(tf.sub(dPP, tf.mul(tf.sum(dPP, -1, true), P0)), scale) as tf.Tensor3D; // [n, T, T] (scale folded in)
        const dQ = bmm(dS, K0); // [n, T, d]
        const dK = bmm(transposeLast(dS), Q0); // [n, T, d]
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
