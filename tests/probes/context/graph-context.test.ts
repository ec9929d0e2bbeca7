import { describe, expect, it } from 'vitest';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { findContext } from '../../../probes/onnx/context';
import { decodeModel } from '../../../format/onnx/model';
import { initializer, node, valueInfo } from '../../helpers/onnx-builder';

/** findContext on hand-built graphs: each structure that bounds the input, and look-alikes that do not. */
const INT64 = onnx.TensorProto.DataType.INT64;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const int64 = (name: string, values: number[], dims = [values.length]): onnx.ITensorProto => ({
  name,
  dims,
  dataType: INT64,
  int64Data: values,
});
const zeros = (n: number) => Array<number>(n).fill(0);

function model(
  nodes: ReturnType<typeof node>[],
  inits: onnx.ITensorProto[],
  inputs = [valueInfo('ids', INT64, ['b', 't'])],
) {
  const bytes = onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer: inits,
      input: inputs,
      output: [valueInfo('y', FLOAT, ['b', 't', 4])],
    },
  }).finish();
  return decodeModel(bytes);
}

/** positions = Range(0, Shape(ids)[1], 1) [-> Unsqueeze], read by Gather(table [rows, 4], positions). */
function positionTable(rows: number, limitFromShape = true) {
  return model(
    [
      node('Shape', ['ids'], ['shape']),
      node('Gather', ['shape', 'one'], ['len']),
      node('Range', ['zero', limitFromShape ? 'len' : 'fixed', 'one'], ['pos']),
      node('Unsqueeze', ['pos', 'zeroAxis'], ['pos2']),
      node('Gather', ['table', 'pos2'], ['y']),
    ],
    [
      int64('zero', [0], []),
      int64('one', [1], []),
      int64('fixed', [7], []),
      int64('zeroAxis', [0]),
      initializer('table', [rows, 4], zeros(rows * 4)),
    ],
  );
}

describe('findContext on hand-built graphs', () => {
  it('a table of 40 rows read at Range(0, Shape(ids)[1]) bounds the input to 40 tokens', () => {
    expect(findContext(positionTable(40))).toEqual({ max_tokens: 40, from: 'position table /Gather_y' });
  });

  it('the same table read at a Range with a constant limit is no bound (the positions are not the input)', () => {
    expect(findContext(positionTable(40, false))).toBeNull();
  });

  it('a position_ids input read by a Gather from a table of 12 rows bounds the input to 12 tokens', () => {
    const m = model(
      [node('Gather', ['table', 'position_ids'], ['y'])],
      [initializer('table', [12, 4], zeros(48))],
      [valueInfo('ids', INT64, ['b', 't']), valueInfo('position_ids', INT64, ['b', 't'])],
    );
    expect(findContext(m)).toEqual({ max_tokens: 12, from: 'position table /Gather_y' });
  });

  it('a token embedding (Gather at the ids themselves) is a vocabulary, not a context', () => {
    expect(
      findContext(
        model([node('Gather', ['table', 'ids'], ['y'])], [initializer('table', [9, 4], zeros(36))]),
      ),
    ).toBeNull();
  });

  it('a fixed sequence dimension [1, 32] bounds the input to 32 tokens', () => {
    const m = model([node('Identity', ['ids'], ['y'])], [], [valueInfo('ids', INT64, [1, 32])]);
    expect(findContext(m)).toEqual({ max_tokens: 32, from: 'fixed input dimension ids[1]' });
  });

  it('a past key/value [batch, 2 heads, past, 4] is no bound: its dim 1 counts heads, not tokens', () => {
    const past = valueInfo('past_key_values.0.key', FLOAT, ['b', 2, 'past', 4]);
    const m = model([node('Identity', ['ids'], ['y'])], [], [valueInfo('ids', INT64, ['b', 't']), past]);
    expect(findContext(m)).toBeNull();
  });

  it('the smallest bound wins: a 50-row table and a [1, 1, 20, 20] buffer sliced by the length give 20', () => {
    const m = model(
      [
        node('Shape', ['ids'], ['shape']),
        node('Gather', ['shape', 'one'], ['len']),
        node('Unsqueeze', ['len', 'zeroAxis'], ['end']),
        node('Range', ['zero', 'len', 'one'], ['pos']),
        node('Gather', ['table', 'pos'], ['h']),
        node('Slice', ['bias', 'zeroAxis', 'end', 'two'], ['mask']),
        node('Add', ['h', 'mask'], ['y']),
      ],
      [
        int64('zero', [0], []),
        int64('one', [1], []),
        int64('zeroAxis', [0]),
        int64('two', [2]),
        initializer('table', [50, 4], zeros(200)),
        initializer('bias', [1, 1, 20, 20], zeros(400)),
      ],
    );
    expect(findContext(m)).toEqual({
      max_tokens: 20,
      from: 'buffer bias [1, 1, 20, 20] sliced by the input length in /Slice_mask',
    });
  });
});
