import * as tf from '@tensorflow/tfjs-core';
import { floatAttr, input, intAttr, unsupported, type OpContext, type OpFn } from './context';
import { broadcastShapes, broadcastTo } from './shape';

/**
 * MatMul with numpy semantics (1-D operands promoted and the added axis dropped again, batch axes
 * broadcast) and Gemm (alpha op(A) op(B) + beta C, C broadcast).
 */
function matMul(ctx: OpContext): tf.Tensor {
  let a = input(ctx, 0);
  let b = input(ctx, 1);
  const aVector = a.rank === 1;
  const bVector = b.rank === 1;
  if (aVector) a = tf.expandDims(a, 0); // [1, K]
  if (bVector) b = tf.expandDims(b, 1); // [K, 1]
  const K = a.shape[a.rank - 1];
  if (b.shape[b.rank - 2] !== K) {
    throw unsupported(ctx, `inner dimensions differ: [${a.shape}] x [${b.shape}]`);
  }
  let y: tf.Tensor;
  if (b.rank === 2) {
    // the common case (a linear layer on [batch, pos, d]): one 2-D product over all leading axes
    const lead = a.shape.slice(0, -1);
    const N = (b.shape as number[])[1];
    y = tf.reshape(tf.matMul(tf.reshape(a, [-1, K]), b), [...lead, N]); // [..., N]
  } else {
    // batch axes broadcast explicitly, then one batched product over [batch, M, K] x [batch, K, N]: the
    // batched kernel smallscope's backend installs does not broadcast
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (!batch) throw unsupported(ctx, `batch axes of [${a.shape}] and [${b.shape}] do not broadcast`);
    const [M, N] = [a.shape[a.rank - 2], b.shape[b.rank - 1]];
    const a3 = tf.reshape(broadcastTo(a, [...batch, M, K]), [-1, M, K]); // [batch, M, K]
    const b3 = tf.reshape(broadcastTo(b, [...batch, K, N]), [-1, K, N]); // [batch, K, N]
    y = tf.reshape(tf.matMul(a3, b3), [...batch, M, N]); // [...batch, M, N]
  }
  if (aVector) y = tf.squeeze(y, [y.rank - 2]);
  if (bVector) y = tf.squeeze(y, [y.rank - 1]);
  return y;
}

function gemm(ctx: OpContext): tf.Tensor {
  const a = input(ctx, 0);
  const b = input(ctx, 1);
  if (a.rank !== 2 || b.rank !== 2) throw unsupported(ctx, `operands of rank ${a.rank} and ${b.rank}`);
  const alpha = floatAttr(ctx, 'alpha', 1);
  const beta = floatAttr(ctx, 'beta', 1);
  let y = tf.matMul(a, b, intAttr(ctx, 'transA', 0) === 1, intAttr(ctx, 'transB', 0) === 1);
  if (alpha !== 1) y = tf.mul(y, alpha);
  const c = ctx.inputs[2];
  if (c) y = tf.add(y, beta === 1 ? c : tf.mul(c, beta));
  return y;
}

export const MATMUL: Record<string, OpFn> = { MatMul: matMul, Gemm: gemm };
