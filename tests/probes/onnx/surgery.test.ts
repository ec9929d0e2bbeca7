import { describe, expect, it } from 'vitest';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { decodeModel } from '../../../format/onnx/model';
import { exposeOutputs } from '../../../probes/onnx/surgery';
import { tinyModel } from '../../helpers/onnx-builder';

describe('exposing intermediate tensors as graph outputs', () => {
  const original = tinyModel();
  const before = decodeModel(original);
  const patched = exposeOutputs(original, ['scores', 'attn'], ['logits', 'mixed']);

  it('appends to the original bytes instead of re-encoding them', () => {
    expect(Buffer.compare(patched.subarray(0, original.length), original)).toBe(0);
    expect(patched.length).toBeGreaterThan(original.length);
  });

  it('still decodes to the same nodes and initializers, with the new outputs added', () => {
    const after = decodeModel(patched);
    expect(after.nodes).toEqual(before.nodes);
    expect([...after.initializers.keys()]).toEqual([...before.initializers.keys()]);
    expect(after.outputs.map((o) => o.name)).toEqual(['logits', 'mixed', 'scores', 'attn']);
  });

  it('returns the bytes unchanged when every name is already an output', () => {
    expect(exposeOutputs(original, ['logits'], ['logits', 'mixed'])).toBe(original);
  });

  it('is accepted by onnxruntime-node, which returns the new outputs', async () => {
    const runner = await createNodeRunner(before, patched);
    expect(runner.outputNames).toContain('attn');
    const out = await runner.run([[1, 2, 3]], ['attn', 'logits']);
    expect(out.attn.dims).toEqual([1, 3, 3]);
    expect(out.logits.dims).toEqual([1, 3, 8]);
    await runner.dispose?.();
  });
});
