import * as tf from '@tensorflow/tfjs-core';
import { graphAttr, intAttr, intsAttr, unsupported, type OpContext, type OpFn } from './context';

/**
 * Scan (opset 9 and later): the body subgraph run once per step along the scan inputs' axes, carrying its
 * state variables from step to step; each step's scan outputs are stacked along their output axes. Written
 * as a plain loop of tfjs ops, so tfjs's autodiff goes back through every step (Mamba's selective scan).
 */
function scan(ctx: OpContext): tf.Tensor[] {
  if (ctx.opset < 9) throw unsupported(ctx, 'the opset 8 form (batch axis, sequence_lens)');
  const body = graphAttr(ctx, 'body');
  if (!body) throw unsupported(ctx, 'no body');
  const inputs = ctx.inputs.map((t, i) => {
    if (!t) throw unsupported(ctx, `input ${i} is missing`);
    return t;
  });
  const M = intAttr(ctx, 'num_scan_inputs', 0);
  const S = inputs.length - M;
  const bodyIn = (body.input ?? []).map((v) => v.name ?? '');
  const bodyOut = (body.output ?? []).map((v) => v.name ?? '');
  if (M <= 0 || S < 0 || bodyIn.length !== S + M || bodyOut.length < S) {
    throw unsupported(ctx, `${inputs.length} inputs, ${M} scanned, a body of ${bodyIn.length} inputs`);
  }
  const K = bodyOut.length - S;
  const inAxes = intsAttr(ctx, 'scan_input_axes') ?? new Array(M).fill(0);
  const inDirs = intsAttr(ctx, 'scan_input_directions') ?? new Array(M).fill(0);
  const outAxes = intsAttr(ctx, 'scan_output_axes') ?? new Array(K).fill(0);
  const outDirs = intsAttr(ctx, 'scan_output_directions') ?? new Array(K).fill(0);
  // each scanned input as its steps, in the order they are visited
  const steps = inputs.slice(S).map((x, k) => {
    const axis = inAxes[k] < 0 ? inAxes[k] + x.rank : inAxes[k];
    const list = tf.unstack(x, axis);
    return inDirs[k] === 1 ? list.reverse() : list;
  });
  const T = steps[0].length;
  if (T === 0 || steps.some((s) => s.length !== T))
    throw unsupported(ctx, 'scan inputs of different or zero length');
  let state = inputs.slice(0, S);
  const collected: tf.Tensor[][] = Array.from({ length: K }, () => []);
  for (let i = 0; i < T; i++) {
    const feeds: Record<string, tf.Tensor> = {};
    bodyIn.forEach((name, j) => (feeds[name] = j < S ? state[j] : steps[j - S][i]));
    const out = ctx.subgraph(body, feeds, bodyOut);
    state = bodyOut.slice(0, S).map((name) => out[name]);
    bodyOut.slice(S).forEach((name, k) => collected[k].push(out[name]));
  }
  const stacked = collected.map((list, k) => {
    const rank = list[0].rank + 1;
    const axis = outAxes[k] < 0 ? outAxes[k] + rank : outAxes[k];
    return tf.stack(outDirs[k] === 1 ? [...list].reverse() : list, axis);
  });
  return [...state, ...stacked];
}

export const CONTROL: Record<string, OpFn> = { Scan: scan };
