import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_GENERATED, PYTORCH_MODEL } from '../../fixtures/paths';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { findAttention } from '../../../probes/attention';
import { decodeModel } from '../../../format/onnx/model';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { pruneToOutputs } from '../../../probes/onnx/prune';
import { lengthDelimited, wireFields } from '../../../format/onnx/wire';
import { node, tinyModel } from '../../helpers/onnx-builder';

const checkpoint = (name: string) => readFileSync(`${DEMO_GENERATED}${name}`);
const reference = PYTORCH_MODEL;

/** The patterns of `bytes` and of its pruned copy on the same tokens, by tensor name. */
async function bothRuns(bytes: Uint8Array, tokens: number[]) {
  const found = findAttention(bytes);
  const names = found.taps.map((t) => t.tensor);
  const pruned = pruneToOutputs(found.model, names);
  if (!pruned) throw new Error('not pruned');
  const full = await createNodeRunner(found.model, found.bytes);
  const cut = await createNodeRunner(found.model, pruned);
  const [a, b] = [await full.run([tokens], names), await cut.run([tokens], names)];
  await full.dispose?.();
  await cut.dispose?.();
  return { names, a, b, before: found.model, after: decodeModel(pruned) };
}

const text = (n: number) => Array.from({ length: n }, (_, i) => 97 + ((i * 7) % 26));

describe('pruning a model to the tensors a view fetches', () => {
  it('keeps only the nodes the fetched tensors depend on, and makes them the only outputs', () => {
    const model = decodeModel(tinyModel());
    const after = decodeModel(pruneToOutputs(model, ['attn'])!);
    expect(after.nodes.map((n) => n.opType)).toEqual(['Gather', 'Transpose', 'MatMul', 'Softmax']);
    expect(after.outputs.map((o) => o.name)).toEqual(['attn']);
    // `readout` fed only the logits.
    expect([...after.initializers.keys()]).toEqual(['embed']);
  });

  it('keeps an existing output with its declared type and shape', () => {
    const after = decodeModel(pruneToOutputs(decodeModel(tinyModel()), ['logits'])!);
    expect(after.outputs).toEqual([{ name: 'logits', elemType: 'float', dims: ['batch', 'seq', 8] }]);
    expect(after.nodes.map((n) => n.opType)).toEqual(['Gather', 'MatMul']);
  });

  it('gives the demo Conv-Attn pattern bit for bit without the value product and the unembedding', async () => {
    const { names, a, b, before, after } = await bothRuns(checkpoint('conv-attn.onnx'), text(96));
    expect(names).toEqual(['blocks.0.attn.hook_pattern']);
    expect(before.nodes.length - after.nodes.length).toBe(8);
    const dropped = before.nodes.filter(
      (n) => !after.nodes.some((m) => m.name === n.name && m.opType === n.opType),
    );
    expect(dropped.filter((n) => n.opType === 'MatMul').map((n) => n.input[0])).toEqual([
      'blocks.0.hook_conv_out', // values
      'blocks.0.attn.hook_pattern', // pattern x values
      'Reshape_23_out', // unembedding (the heads' output, concatenated)
    ]);
    expect(b[names[0]].dims).toEqual([1, 1, 96, 96]);
    expect(Array.from(b[names[0]].data)).toEqual(Array.from(a[names[0]].data));
  });

  it('gives both Attn-Attn patterns bit for bit (layer 1 still needs layer 0 mixed values)', async () => {
    const { names, a, b, after } = await bothRuns(checkpoint('attn-attn.onnx'), text(80));
    expect(names).toHaveLength(2);
    expect(after.outputs.map((o) => o.name)).toEqual(names);
    for (const n of names) expect(Array.from(b[n].data)).toEqual(Array.from(a[n].data));
  });

  it('gives the PyTorch export Softmax output bit for bit', async () => {
    const { names, a, b } = await bothRuns(readFileSync(reference), text(64));
    expect(names).toHaveLength(1);
    expect(Array.from(b[names[0]].data)).toEqual(Array.from(a[names[0]].data));
  });

  it('copies fields it does not know, as written', () => {
    // GraphProto field 99 (unknown to any ONNX schema) as a string, and ModelProto field 98 likewise.
    const marker = (field: number) => lengthDelimited(field, [new TextEncoder().encode(`field ${field}`)]);
    const bytes = tinyModel();
    const graphAt = wireFields(bytes).find((f) => f.field === 7)!;
    const graphBody = bytes.subarray(graphAt.bodyStart, graphAt.bodyEnd);
    const withUnknown = new Uint8Array([
      ...bytes.subarray(0, graphAt.start),
      ...lengthDelimited(7, [graphBody, marker(99)]),
      ...bytes.subarray(graphAt.end),
      ...marker(98),
    ]);
    const pruned = pruneToOutputs(decodeModel(withUnknown), ['attn'])!;
    const top = wireFields(pruned);
    const graph = top.find((f) => f.field === 7)!;
    expect(top.filter((f) => f.field === 98)).toHaveLength(1);
    expect(wireFields(pruned, graph.bodyStart, graph.bodyEnd).filter((f) => f.field === 99)).toHaveLength(1);
  });

  it('reads a graph split over two `graph` fields (outputs exposed by appending) as one', () => {
    const exposed = findAttention(tinyModel()).bytes;
    expect(wireFields(exposed).filter((f) => f.field === 7)).toHaveLength(2);
    const after = decodeModel(pruneToOutputs(decodeModel(exposed), ['attn'])!);
    expect(after.outputs.map((o) => o.name)).toEqual(['attn']);
    expect(after.nodes.map((n) => n.opType)).toEqual(['Gather', 'Transpose', 'MatMul', 'Softmax']);
  });

  it('declines where cutting is unsafe or pointless', () => {
    const model = decodeModel(tinyModel());
    expect(pruneToOutputs(model, [])).toBeNull();
    expect(pruneToOutputs(model, ['no_such_tensor'])).toBeNull();
    expect(pruneToOutputs(model, ['logits', 'mixed'])).toBeNull(); // every node is needed, same outputs
    // A node with a subgraph may read any outer tensor by name.
    const proto = onnx.ModelProto.decode(tinyModel());
    proto.graph!.node!.push(
      onnx.NodeProto.create({
        ...node('If', ['cond'], ['branch'], []),
        attribute: [{ name: 'then_branch', type: 5, g: { name: 'then' } }],
      }),
    );
    proto.graph!.input!.push({ name: 'cond' });
    const withIf = decodeModel(onnx.ModelProto.encode(proto).finish());
    expect(pruneToOutputs(withIf, ['attn'])).toBeNull();
  });
});
