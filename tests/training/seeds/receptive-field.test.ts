import { beforeAll, describe, expect, it } from 'vitest';
import { centred, theoreticalField } from '../../../probes/field/theory';
import { findConvs } from '../../../probes/onnx/conv-nodes';
import { decodeModel } from '../../../format/onnx/model';
import { initBackend } from '../../../training/backend';
import { convStackSpec } from '../../../training/arch/conv-stack/spec';
import { disposeParams, initParams } from '../../../training/models/params';
import { Rng } from '../../../training/random';
import { exportBytes } from '../../helpers/export';

beforeAll(async () => {
  await initBackend();
});

/** Radius of the conv support read from the exported graph: each Conv's tap offsets, Minkowski-summed. */
async function graphRadius(
  kernel: number,
  dilation: number[],
): Promise<{ radius: number; kernels: number[] }> {
  const spec = convStackSpec({
    layers: 3,
    channels: 4,
    kernel,
    dilation,
    attn: [0, 0, 'T'],
    norm: 'layer',
    seqLen: 32,
  });
  const params = initParams(spec, new Rng(1));
  const convs = findConvs(decodeModel(await exportBytes(spec, params)));
  disposeParams(params);
  let support = new Set([0]);
  for (const c of convs) {
    const offs = c.taps!.map((t) => t.offset);
    support = new Set([...support].flatMap((s) => offs.map((o) => s + o)));
  }
  const xs = [...support];
  return { radius: Math.max(...xs.map(Math.abs)), kernels: convs.map((c) => c.kernel[0]) };
}

describe('conv-stack receptive field, read back from the exported ONNX convs', () => {
  it('kernel 13 with dilations 5,7,1 reaches radius 78 (seed 000), as the theory says', async () => {
    const g = await graphRadius(13, [5, 7, 1]);
    expect(g.kernels).toEqual([13, 13, 13]);
    expect(g.radius).toBe(78);
    expect(theoreticalField([centred(13, 5), centred(13, 7), centred(13, 1)]).radius).toBe(78);
  });
  it('kernel 7 with dilation 1 reaches radius 9 (seed 000)', async () => {
    const g = await graphRadius(7, [1, 1, 1]);
    expect(g.radius).toBe(9);
    expect(theoreticalField([centred(7, 1), centred(7, 1), centred(7, 1)]).radius).toBe(9);
  });
});
