import { onnx } from '../../format/onnx/gen/onnx.js';
import type { OnnxModel } from '../../format/onnx/model';

/**
 * What the causal probes read of the logits, computed in the graph: per position the logit and the
 * log-probability of the actual next token, and the last position's logits. A run then returns [rows, T - 1]
 * numbers and one row of logits instead of [rows, T, vocab]: with a 50,257-token vocabulary a row's logits
 * are 51 MB at 256 tokens, and their log-sum-exp in JavaScript took half as long as the forward itself.
 *
 *   next       = Unsqueeze(Slice(tokens, 1:, axis 1), 2)                 // [batch, pos - 1, 1]
 *   pred       = Slice(logits, :-1, axis 1)                              // [batch, pos - 1, vocab]
 *   next_logit = GatherElements(pred, next, axis 2)                      // [batch, pos - 1, 1]
 *   next_logp  = GatherElements(LogSoftmax(pred, axis 2), next, axis 2)  // [batch, pos - 1, 1]
 *   last       = Slice(logits, -1:, axis 1)                              // [batch, 1, vocab]
 *
 * Appended as one more `graph` field (protobuf merges it into the first; surgery.ts explains why): the new
 * nodes read only tensors computed earlier, so they may come last. GatherElements is opset 11's. `expose`
 * names more tensors to return (not yet outputs), as surgery.ts's exposeOutputs would.
 */
export interface Readouts {
  bytes: Uint8Array;
  nextLogit: string;
  nextLogprob: string;
  lastLogits: string;
}

const P = 'smallscope/causal/readout';
const INT64 = onnx.TensorProto.DataType.INT64;
const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

export function appendReadouts(
  model: OnnxModel,
  bytes: Uint8Array,
  tokens: string,
  logits: string,
  expose: readonly string[] = [],
): Readouts {
  const k = (s: string) => `${P}/${s}`;
  const int64 = (name: string, v: number) => ({ name: k(name), dims: [1], dataType: INT64, int64Data: [v] });
  const node = (
    opType: string,
    input: string[],
    out: string,
    attribute: onnx.AttributeProto.$Properties[] = [],
  ) => ({
    opType,
    input,
    output: [k(out)],
    name: k(out),
    attribute,
  });
  const axis = (i: number) => [{ name: 'axis', i, type: INT }];
  // Unsqueeze takes its axes as an input from opset 13, as an attribute before.
  const unsqueeze =
    model.opset >= 13
      ? node('Unsqueeze', [k('next2'), k('two')], 'next')
      : node('Unsqueeze', [k('next2')], 'next', [{ name: 'axes', ints: [2], type: INTS }]);
  const nodes = [
    node('Slice', [tokens, k('one'), k('end'), k('one')], 'next2'), // [batch, pos - 1]
    unsqueeze, // [batch, pos - 1, 1]
    node('Slice', [logits, k('zero'), k('minus_one'), k('one')], 'pred'), // [batch, pos - 1, vocab]
    node('GatherElements', [k('pred'), k('next')], 'next_logit', axis(2)), // [batch, pos - 1, 1]
    node('LogSoftmax', [k('pred')], 'logp', axis(2)), // [batch, pos - 1, vocab]
    node('GatherElements', [k('logp'), k('next')], 'next_logprob', axis(2)), // [batch, pos - 1, 1]
    node('Slice', [logits, k('minus_one'), k('end'), k('one')], 'last'), // [batch, 1, vocab]
  ];
  const inits = [
    int64('zero', 0),
    int64('one', 1),
    int64('two', 2),
    int64('minus_one', -1),
    int64('end', 2 ** 31 - 1),
  ];
  // `expose`: other tensors to return, in the same patch (one copy of the model, not two)
  const outputs = [
    ...['next_logit', 'next_logprob', 'last'].map((n) => ({ name: k(n) })),
    ...expose.map((name) => ({ name })),
  ];
  const patch = onnx.ModelProto.encode({
    graph: { node: nodes, initializer: inits, output: outputs },
  }).finish();
  const out = new Uint8Array(bytes.length + patch.length);
  out.set(bytes, 0);
  out.set(patch, bytes.length);
  return { bytes: out, nextLogit: k('next_logit'), nextLogprob: k('next_logprob'), lastLogits: k('last') };
}
