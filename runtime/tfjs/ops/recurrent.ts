import * as tf from '@tensorflow/tfjs-core';
import { attr } from '../../../format/onnx/model';
import { input, intAttr, ints, stringAttr, unsupported, type OpContext, type OpFn } from './context';

/**
 * LSTM as ONNX defines it (gates i, o, f, c; default activations sigmoid, tanh, tanh; optional biases,
 * initial states and peepholes; forward, reverse or bidirectional), unrolled step by step in tfjs ops so the
 * gradient flows back through time (smallscope's LSTM checkpoints). Not evaluated: other activations, clip,
 * input_forget, layout 1, and sequence_lens shorter than the input.
 */
function lstm(ctx: OpContext): tf.Tensor[] {
  const activations = attr(ctx.node, 'activations');
  if (
    ctx.node.attribute.some((a) => a.name === 'activations') &&
    String(activations) !== 'Sigmoid,Tanh,Tanh'
  ) {
    throw unsupported(ctx, `activations ${String(activations)}`);
  }
  if (ctx.node.attribute.some((a) => a.name === 'clip')) throw unsupported(ctx, 'clip');
  if (intAttr(ctx, 'input_forget', 0) !== 0) throw unsupported(ctx, 'input_forget 1');
  if (intAttr(ctx, 'layout', 0) !== 0) throw unsupported(ctx, 'layout 1');
  const X = input(ctx, 0); // [pos, batch, in]
  const W = input(ctx, 1); // [dirs, 4H, in]
  const R = input(ctx, 2); // [dirs, 4H, H]
  const [T, batch, I] = X.shape as number[];
  const dirs = (W.shape as number[])[0];
  const H = (R.shape as number[])[2];
  const lens = ctx.inputs[4];
  if (lens && ints(lens).some((n) => n !== T)) throw unsupported(ctx, 'sequence_lens shorter than the input');
  const direction = stringAttr(ctx, 'direction', 'forward');
  const order = direction === 'bidirectional' ? ['forward', 'reverse'] : [direction];
  if (order.length !== dirs || order.some((d) => d !== 'forward' && d !== 'reverse')) {
    throw unsupported(ctx, `direction ${direction} with ${dirs} weight set(s)`);
  }
  const ys: tf.Tensor[] = [];
  const hs: tf.Tensor[] = [];
  const cs: tf.Tensor[] = [];
  order.forEach((dir, d) => {
    const at = (t: tf.Tensor | null) => (t ? tf.squeeze(tf.slice(t, [d], [1]), [0]) : null); // this direction's
    const Wd = at(W)!; // [4H, in]
    const Rd = at(R)!; // [4H, H]
    const Bd = at(ctx.inputs[3]); // [8H]
    const bias = Bd ? tf.add(tf.slice(Bd, [0], [4 * H]), tf.slice(Bd, [4 * H], [4 * H])) : null; // Wb + Rb [4H]
    const P = at(ctx.inputs[7]); // [3H]: peepholes i, o, f
    let h = at(ctx.inputs[5]) ?? tf.zeros([batch, H]); // [batch, H]
    let c = at(ctx.inputs[6]) ?? tf.zeros([batch, H]); // [batch, H]
    // the input's share of every gate, all steps at once: [pos, batch, 4H]
    let xw = tf.reshape(tf.matMul(tf.reshape(X, [T * batch, I]), Wd, false, true), [T, batch, 4 * H]);
    if (bias) xw = tf.add(xw, bias);
    const steps = tf.unstack(xw); // pos x [batch, 4H]
    const out: tf.Tensor[] = new Array(T);
    for (let k = 0; k < T; k++) {
      const t = dir === 'forward' ? k : T - 1 - k;
      const z = tf.add(steps[t], tf.matMul(h, Rd, false, true)); // [batch, 4H]
      const [zi, zo, zf, zc] = tf.split(z, 4, 1); // each [batch, H]
      const peep = (j: number, state: tf.Tensor) => tf.mul(tf.slice(P!, [j * H], [H]), state);
      const i = tf.sigmoid(P ? tf.add(zi, peep(0, c)) : zi);
      const f = tf.sigmoid(P ? tf.add(zf, peep(2, c)) : zf);
      c = tf.add(tf.mul(f, c), tf.mul(i, tf.tanh(zc)));
      const o = tf.sigmoid(P ? tf.add(zo, peep(1, c)) : zo);
      h = tf.mul(o, tf.tanh(c));
      out[t] = h;
    }
    ys.push(tf.stack(out)); // [pos, batch, H]
    hs.push(h);
    cs.push(c);
  });
  return [
    tf.stack(ys, 1), // Y [pos, dirs, batch, H]
    tf.stack(hs), // Y_h [dirs, batch, H]
    tf.stack(cs), // Y_c [dirs, batch, H]
  ];
}

export const RECURRENT: Record<string, OpFn> = { LSTM: lstm };
