import { onnx } from '../../format/onnx/gen/onnx.js';

/** Tiny hand-built ONNX models for tests: a token embedding, single-head attention and a read-out. */

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export function floatRaw(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return bytes;
}

export function initializer(name: string, dims: number[], values: number[], raw = true): onnx.ITensorProto {
  return raw
    ? { name, dims, dataType: FLOAT, rawData: floatRaw(values) }
    : { name, dims, dataType: FLOAT, floatData: values };
}

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function node(
  opType: string,
  input: string[],
  output: string[],
  attribute: onnx.IAttributeProto[] = [],
) {
  return { opType, input, output, name: `/${opType}_${output[0]}`, attribute };
}

export const intAttr = (name: string, i: number): onnx.IAttributeProto => ({
  name,
  i,
  type: onnx.AttributeProto.AttributeType.INT,
});
export const intsAttr = (name: string, ints: number[]): onnx.IAttributeProto => ({
  name,
  ints,
  type: onnx.AttributeProto.AttributeType.INTS,
});

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

export interface TinyOptions {
  opset?: number;
  /** Softmax axis attribute; null leaves it out (the opset default applies). */
  axis?: number | null;
  /** Put a Softmax over the vocabulary at the end instead of attention (a graph without attention). */
  noAttention?: boolean;
  vocab?: number;
  metadata?: { key: string; value: string }[];
  /** Store the embedding as floatData rather than rawData. */
  floatData?: boolean;
  /** Name the attention tensor like our checkpoints do and make it a graph output. */
  canonical?: boolean;
  /** A fixed sequence length instead of the symbolic `seq`. */
  seqLen?: number;
}

/** tokens [b, T] -> embed [V, 4] -> scores = x x^T [b, T, T] -> Softmax -> A x -> out; logits = x W. */
export function tinyModel({
  opset = 17,
  axis = -1,
  noAttention = false,
  vocab = 8,
  metadata = [],
  floatData = false,
  canonical = false,
  seqLen,
}: TinyOptions = {}): Uint8Array {
  const d = 4;
  const attn = canonical ? 'blocks.0.attn.hook_pattern' : 'attn';
  const seq = seqLen ?? 'seq';
  const nodes = [node('Gather', ['embed', 'tokens'], ['x']), node('MatMul', ['x', 'readout'], ['logits'])];
  if (noAttention) {
    nodes.push(node('Softmax', ['logits'], ['probs'], [intAttr('axis', -1)]));
  } else {
    nodes.push(
      node('Transpose', ['x'], ['xt'], [intsAttr('perm', [0, 2, 1])]),
      node('MatMul', ['x', 'xt'], ['scores']),
      node('Softmax', ['scores'], [attn], axis === null ? [] : [intAttr('axis', axis)]),
      node('MatMul', [attn, 'x'], ['mixed']),
    );
  }
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'smallscope-tests',
    opsetImport: [{ domain: '', version: opset }],
    metadataProps: metadata,
    graph: {
      name: 'tiny',
      node: nodes,
      initializer: [
        initializer(
          'embed',
          [vocab, d],
          range(vocab * d, (i) => Math.sin(i + 1) * 0.5),
          !floatData,
        ),
        initializer(
          'readout',
          [d, vocab],
          range(vocab * d, (i) => Math.cos(i) * 0.1),
        ),
      ],
      input: [valueInfo('tokens', INT64, ['batch', seq])],
      output: [
        valueInfo('logits', FLOAT, ['batch', seq, vocab]),
        ...(noAttention
          ? [valueInfo('probs', FLOAT, ['batch', seq, vocab])]
          : [valueInfo('mixed', FLOAT, ['batch', seq, d])]),
        ...(canonical ? [{ name: attn }] : []),
      ],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}
