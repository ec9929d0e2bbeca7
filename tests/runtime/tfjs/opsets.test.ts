import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { mulberry32 } from '../../../probes/inputs/prng';
import { floats, int64s, interpret, runOrt, toyModel, toyNode as n, type ToyInput } from './toy';
import type { onnx } from '../../../format/onnx/gen/onnx.js';

/**
 * The interpreter's forward pass against ONNX Runtime on small graphs, one per op form whose meaning depends on
 * the opset or on an attribute: axes as attributes or inputs (Unsqueeze/Squeeze/Split at 13, Slice at 10,
 * ReduceMean at 18), Softmax's 2-D coercion before 13, Slice's clamping and negative steps, Split's
 * num_outputs (18), conv pads / strides / dilations / groups / auto_pad, negative Gather indices, integer
 * division, broadcasting. Shapes must be equal and values within 1e-5 (absolute, on values of order 1).
 */
beforeAll(async () => {
  await initBackend();
});

const rand = mulberry32(7);
const values = (count: number) =>
  Array.from({ length: count }, () => Math.round((rand() * 4 - 2) * 1e4) / 1e4);
const x = (dims: number[], name = 'x'): ToyInput => ({
  name,
  dims,
  data: values(dims.reduce((a, b) => a * b, 1)),
});
const INT64_MAX = '9223372036854775807';

interface Case {
  name: string;
  opset: number;
  nodes: onnx.INodeProto[];
  inputs: ToyInput[];
  outputs: (string | { name: string; type: 'float' | 'int64' | 'bool' })[];
  inits?: onnx.ITensorProto[];
}

const cases: Case[] = [
  {
    name: 'Unsqueeze: axes attribute (opset 11), negative axis',
    opset: 11,
    nodes: [n('Unsqueeze', ['x'], ['y'], { axes: [0, -1] })],
    inputs: [x([2, 3])],
    outputs: ['y'],
  },
  {
    name: 'Unsqueeze: axes input (opset 13)',
    opset: 13,
    nodes: [n('Unsqueeze', ['x', 'axes'], ['y'])],
    inputs: [x([2, 3])],
    outputs: ['y'],
    inits: [int64s('axes', [2], [1, 3])],
  },
  {
    name: 'Squeeze: axes attribute (opset 11) and none (every 1)',
    opset: 11,
    nodes: [n('Squeeze', ['x'], ['y'], { axes: [-1] }), n('Squeeze', ['x'], ['z'])],
    inputs: [x([1, 3, 1])],
    outputs: ['y', 'z'],
  },
  {
    name: 'Squeeze: axes input (opset 13)',
    opset: 13,
    nodes: [n('Squeeze', ['x', 'axes'], ['y'])],
    inputs: [x([1, 3, 1])],
    outputs: ['y'],
    inits: [int64s('axes', [1], [0])],
  },
  {
    name: 'Split: split attribute (opset 11)',
    opset: 11,
    nodes: [n('Split', ['x'], ['a', 'b'], { axis: 1, split: [1, 3] })],
    inputs: [x([2, 4])],
    outputs: ['a', 'b'],
  },
  {
    name: 'Split: split input (opset 13), and equal parts without it',
    opset: 13,
    nodes: [n('Split', ['x', 'sizes'], ['a', 'b'], { axis: -1 }), n('Split', ['x'], ['c', 'd'], { axis: 1 })],
    inputs: [x([2, 4])],
    outputs: ['a', 'b', 'c', 'd'],
    inits: [int64s('sizes', [2], [3, 1])],
  },
  {
    name: 'Split: num_outputs (opset 18), the last part smaller',
    opset: 18,
    nodes: [n('Split', ['x'], ['a', 'b', 'c'], { axis: 0, num_outputs: 3 })],
    inputs: [x([7, 2])],
    outputs: ['a', 'b', 'c'],
  },
  {
    name: 'Slice: attributes (opset 9), negative start, end past the dimension',
    opset: 9,
    nodes: [n('Slice', ['x'], ['y'], { starts: [-3, 1], ends: [1000, 3], axes: [1, 0] })],
    inputs: [x([4, 5])],
    outputs: ['y'],
  },
  {
    name: 'Slice: inputs (opset 13), INT64_MAX end, step 2, and a negative step from the end',
    opset: 13,
    nodes: [
      n('Slice', ['x', 's1', 'e1', 'a1', 'st1'], ['y']),
      n('Slice', ['x', 's2', 'e2', 'a2', 'st2'], ['z']),
    ],
    inputs: [x([3, 7])],
    outputs: ['y', 'z'],
    inits: [
      int64s('s1', [1], [1]),
      { name: 'e1', dims: [1], dataType: 7, int64Data: [INT64_MAX as unknown as number] },
      int64s('a1', [1], [-1]),
      int64s('st1', [1], [2]),
      int64s('s2', [2], [-1, 2]),
      int64s('e2', [2], [-100, 0]),
      int64s('a2', [2], [1, 0]),
      int64s('st2', [2], [-2, -1]),
    ],
  },
  {
    name: 'ReduceMean: axes attribute (opset 17), keepdims 0',
    opset: 17,
    nodes: [n('ReduceMean', ['x'], ['y'], { axes: [-1, 0], keepdims: 0 })],
    inputs: [x([2, 3, 4])],
    outputs: ['y'],
  },
  {
    name: 'ReduceMean: axes input (opset 18); ReduceSum with none and noop_with_empty_axes',
    opset: 18,
    nodes: [
      n('ReduceMean', ['x', 'axes'], ['y']),
      n('ReduceSum', ['x'], ['z'], { keepdims: 0 }),
      n('ReduceSum', ['x'], ['w'], { noop_with_empty_axes: 1 }),
    ],
    inputs: [x([2, 3, 4])],
    outputs: ['y', 'z', 'w'],
    inits: [int64s('axes', [1], [1])],
  },
  {
    name: 'Softmax / LogSoftmax before opset 13: the input coerced to 2-D at axis 1',
    opset: 11,
    nodes: [n('Softmax', ['x'], ['y'], { axis: 1 }), n('LogSoftmax', ['x'], ['z'])],
    inputs: [x([2, 3, 4])],
    outputs: ['y', 'z'],
  },
  {
    name: 'Softmax from opset 13: along the one axis (here 1, not the last)',
    opset: 13,
    nodes: [n('Softmax', ['x'], ['y'], { axis: 1 }), n('Softmax', ['x'], ['z'])],
    inputs: [x([2, 3, 4])],
    outputs: ['y', 'z'],
  },
  {
    name: 'Conv 1-D: dilation 2, stride 2, group 2, asymmetric pads, bias',
    opset: 14,
    nodes: [n('Conv', ['x', 'w', 'b'], ['y'], { dilations: [2], strides: [2], group: 2, pads: [3, 1] })],
    inputs: [x([2, 4, 11])],
    outputs: ['y'],
    inits: [floats('w', [6, 2, 3], values(36)), floats('b', [6], values(6))],
  },
  {
    name: 'Conv 1-D: auto_pad SAME_LOWER, depthwise (group = channels)',
    opset: 14,
    nodes: [n('Conv', ['x', 'w'], ['y'], { auto_pad: 'SAME_LOWER', group: 3 })],
    inputs: [x([1, 3, 8])],
    outputs: ['y'],
    inits: [floats('w', [3, 1, 4], values(12))],
  },
  {
    // ONNX Runtime refuses dilations with auto_pad SAME: they are checked with explicit pads
    name: 'Conv 2-D: auto_pad SAME_UPPER with stride 2; explicit pads with dilations (1, 2)',
    opset: 14,
    nodes: [
      n('Conv', ['x', 'w', 'b'], ['y'], { auto_pad: 'SAME_UPPER', strides: [2, 2] }),
      n('Conv', ['x', 'w'], ['z'], { pads: [1, 0, 2, 1], dilations: [1, 2] }),
    ],
    inputs: [x([1, 2, 5, 6])],
    outputs: ['y', 'z'],
    inits: [floats('w', [3, 2, 3, 2], values(36)), floats('b', [3], values(3))],
  },
  {
    name: 'Gather: negative indices, a scalar index, axis 1',
    opset: 13,
    nodes: [n('Gather', ['x', 'i'], ['y'], { axis: 1 }), n('Gather', ['x', 'k'], ['z'])],
    inputs: [x([3, 4])],
    outputs: ['y', 'z'],
    inits: [int64s('i', [2, 2], [-1, 0, 2, -4]), int64s('k', [], [-1])],
  },
  {
    name: 'Trilu: upper with k = 1, lower with k = -1 (batched)',
    opset: 14,
    nodes: [n('Trilu', ['x', 'k1'], ['y']), n('Trilu', ['x', 'k2'], ['z'], { upper: 0 })],
    inputs: [x([2, 4, 5])],
    outputs: ['y', 'z'],
    inits: [int64s('k1', [], [1]), int64s('k2', [], [-1])],
  },
  {
    name: 'Shape start/end (opset 15), Range, ConstantOfShape, Cast, integer Div truncating toward zero',
    opset: 15,
    nodes: [
      n('Shape', ['x'], ['s'], { start: -2 }),
      n('Shape', ['x'], ['full']),
      n('Gather', ['full', 'zero'], ['n0'], { axis: 0 }),
      n('Range', ['n0', 'ten', 'three'], ['r']),
      n('Div', ['neg', 's'], ['q']),
      n('ConstantOfShape', ['s'], ['c'], { value: { tensor: int64s('v', [1], [5]) } }),
      n('Cast', ['r'], ['rf'], { to: 1 }),
    ],
    inputs: [x([2, 3, 4])],
    outputs: [
      { name: 's', type: 'int64' },
      { name: 'r', type: 'int64' },
      { name: 'q', type: 'int64' },
      { name: 'c', type: 'int64' },
      'rf',
    ],
    inits: [
      int64s('zero', [], [0]),
      int64s('ten', [], [10]),
      int64s('three', [], [3]),
      int64s('neg', [2], [-7, 7]),
    ],
  },
  {
    name: 'Expand (bidirectional), Where with broadcasting, Equal / Less / Not',
    opset: 13,
    nodes: [
      n('Expand', ['x', 'shape'], ['e']),
      n('Less', ['x', 'zero'], ['neg']),
      n('Not', ['neg'], ['pos']),
      n('Where', ['pos', 'x', 'minus'], ['w']),
      n('Equal', ['x', 'x'], ['eq']),
    ],
    inputs: [x([3, 1])],
    outputs: ['e', 'w', { name: 'eq', type: 'bool' }],
    inits: [int64s('shape', [3], [2, 1, 4]), floats('zero', [], [0]), floats('minus', [1, 2], [-1, -2])],
  },
  {
    name: 'CumSum exclusive reverse, Pad with a value, Tile, Flatten, Gemm transA with alpha and beta',
    opset: 13,
    nodes: [
      n('CumSum', ['x', 'ax'], ['cs'], { exclusive: 1, reverse: 1 }),
      n('Pad', ['x', 'pads', 'pv'], ['p']),
      n('Tile', ['x', 'reps'], ['t']),
      n('Flatten', ['p'], ['f'], { axis: 1 }),
      n('Gemm', ['x', 'B', 'C'], ['g'], { transA: 1, alpha: { float: 0.5 }, beta: { float: 2 } }),
    ],
    inputs: [x([3, 4])],
    outputs: ['cs', 'p', 't', 'f', 'g'],
    inits: [
      int64s('ax', [], [1]),
      int64s('pads', [4], [1, 0, 2, 3]),
      floats('pv', [], [0.25]),
      int64s('reps', [2], [2, 1]),
      floats('B', [3, 2], values(6)),
      floats('C', [2], values(2)),
    ],
  },
  {
    name: 'MatMul: 1-D operands, broadcast batch axes',
    opset: 13,
    nodes: [
      n('MatMul', ['v', 'x'], ['a']),
      n('MatMul', ['x', 'v2'], ['b']),
      n('MatMul', ['x4', 'y4'], ['c']),
    ],
    inputs: [x([3, 4]), x([3], 'v'), x([4], 'v2'), x([2, 1, 3, 4], 'x4'), x([1, 5, 4, 2], 'y4')],
    outputs: ['a', 'b', 'c'],
  },
  {
    name: 'LayerNormalization (opset 17) over the last two axes, Clip (opset 13), Max / Min, Gelu-by-Erf, Softplus',
    opset: 17,
    nodes: [
      n('LayerNormalization', ['x', 'g', 'b'], ['ln'], { axis: -2, epsilon: { float: 1e-3 } }),
      n('Clip', ['x', 'lo', 'hi'], ['cl']),
      n('Max', ['x', 'lo', 'ln'], ['mx']),
      n('Min', ['x', 'hi'], ['mn']),
      n('Erf', ['x'], ['erf']),
      n('Softplus', ['x'], ['sp']),
    ],
    inputs: [x([2, 3, 4])],
    outputs: ['ln', 'cl', 'mx', 'mn', 'erf', 'sp'],
    inits: [
      floats('g', [3, 4], values(12)),
      floats('b', [3, 4], values(12)),
      floats('lo', [], [-0.5]),
      floats('hi', [], [0.7]),
    ],
  },
];

describe('the interpreter = ONNX Runtime, op forms by opset', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const model = toyModel(c.opset, c.nodes, c.inputs, c.outputs, c.inits);
      const ours = interpret(model, c.inputs);
      const theirs = await runOrt(model, c.inputs);
      for (const name of Object.keys(theirs)) {
        expect(ours[name].dims, name).toEqual(theirs[name].dims);
        ours[name].data.forEach((v, i) =>
          expect(Math.abs(v - theirs[name].data[i]), `${name}[${i}]`).toBeLessThan(1e-5),
        );
      }
    });
  }
});
