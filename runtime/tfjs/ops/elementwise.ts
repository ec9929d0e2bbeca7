import * as tf from '@tensorflow/tfjs-core';
import { floatAttr, input, ints, stringAttr, unsupported, type OpContext, type OpFn } from './context';

/**
 * Element-wise ops with numpy broadcasting (tfjs broadcasts the same way). Float ops are the ones a gradient
 * flows through; the integer forms (shape arithmetic: Add, Sub, Mul, Div on int32) only compute values.
 */
const unary =
  (f: (x: tf.Tensor) => tf.Tensor): OpFn =>
  (ctx) =>
    f(input(ctx, 0));
const binary =
  (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpFn =>
  (ctx) =>
    f(input(ctx, 0), input(ctx, 1));
/** Variadic Min / Max / Sum / Mean: folded pairwise. */
const variadic =
  (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpFn =>
  (ctx) =>
    ctx.inputs.filter((t): t is tf.Tensor => t !== null).reduce((a, b) => f(a, b));

/** ONNX integer division truncates toward zero; tfjs's int32 div floors. Through float32: exact below 2^24. */
function divide(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.dtype !== 'int32') return tf.div(a, b);
  return tf.cast(tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32')), 'int32');
}

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function gelu(x: tf.Tensor, approximate: string): tf.Tensor {
  if (approximate === 'tanh') {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  }
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT1_2)), 1)); // 0.5 x (1 + erf(x / sqrt 2))
}

/** Clip: bounds as attributes before opset 11, as optional scalar inputs from 11. */
function clip(ctx: OpContext): tf.Tensor {
  const x = input(ctx, 0);
  let lo = -Infinity;
  let hi = Infinity;
  if (ctx.opset < 11) {
    lo = floatAttr(ctx, 'min', -Infinity);
    hi = floatAttr(ctx, 'max', Infinity);
  } else {
    if (ctx.inputs[1]) lo = ints(ctx.inputs[1])[0];
    if (ctx.inputs[2]) hi = ints(ctx.inputs[2])[0];
  }
  if (lo > hi) throw unsupported(ctx, `min ${lo} > max ${hi}`);
  return tf.clipByValue(x, lo, hi);
}

export const ELEMENTWISE: Record<string, OpFn> = {
  Add: binary(tf.add),
  Sub: binary(tf.sub),
  Mul: binary(tf.mul),
  Div: binary(divide),
  // an integer exponent (allowed by ONNX with a float base) is made float for tfjs
  Pow: (ctx) => {
    const [a, b] = [input(ctx, 0), input(ctx, 1)];
    return tf.pow(a, b.dtype === a.dtype ? b : tf.cast(b, a.dtype));
  },
  Mod: binary(tf.mod),
  Sqrt: unary(tf.sqrt),
  Reciprocal: unary(tf.reciprocal),
  Neg: unary(tf.neg),
  Abs: unary(tf.abs),
  Sign: unary(tf.sign),
  Floor: unary(tf.floor),
  Ceil: unary(tf.ceil),
  Exp: unary(tf.exp),
  Log: unary(tf.log),
  Sin: unary(tf.sin),
  Cos: unary(tf.cos),
  Relu: unary(tf.relu),
  LeakyRelu: (ctx) => tf.leakyRelu(input(ctx, 0), floatAttr(ctx, 'alpha', 0.01)),
  Sigmoid: unary(tf.sigmoid),
  Tanh: unary(tf.tanh),
  Erf: unary(tf.erf),
  Softplus: unary(tf.softplus),
  Gelu: (ctx) => gelu(input(ctx, 0), stringAttr(ctx, 'approximate', 'none')),
  Clip: clip,
  Min: variadic(tf.minimum),
  Max: variadic(tf.maximum),
  Sum: variadic(tf.add),
  Mean: (ctx) => {
    const xs = ctx.inputs.filter((t): t is tf.Tensor => t !== null);
    return tf.div(
      xs.reduce((a, b) => tf.add(a, b)),
      xs.length,
    );
  },
  Equal: binary(tf.equal),
  Less: binary(tf.less),
  LessOrEqual: binary(tf.lessEqual),
  Greater: binary(tf.greater),
  GreaterOrEqual: binary(tf.greaterEqual),
  Not: unary(tf.logicalNot),
  And: binary(tf.logicalAnd),
  Or: binary(tf.logicalOr),
  Xor: binary(tf.logicalXor),
  Where: (ctx) => tf.where(input(ctx, 0), input(ctx, 1), input(ctx, 2)),
  Identity: unary((x) => x),
  // inference: Dropout passes its input through; the optional mask output is all true
  Dropout: (ctx) => {
    const x = input(ctx, 0);
    return [x, tf.cast(tf.onesLike(x), 'bool')];
  },
};
