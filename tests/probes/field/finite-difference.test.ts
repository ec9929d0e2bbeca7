import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PYTORCH_PLAIN } from '../../fixtures/paths';
import { createEmbeddingRunner } from '../../../runtime/node/ort-embeddings';
import { convStack, receptiveField } from '../../../probes/field/field-probe';
import { theoreticalField } from '../../../probes/field/theory';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import { decodeModel } from '../../../format/onnx/model';
import { analyticProfile, convStackModel } from '../../helpers/conv-stack';

const pytorch = PYTORCH_PLAIN;

async function measure(kernel: number, dilations: number[], T: number, t: number, perturbAll: boolean) {
  const m = convStackModel(kernel, dilations);
  const model = decodeModel(m.bytes);
  const cut = cutAtEmbedding(model);
  const runner = await createEmbeddingRunner(cut);
  const tokens = [Array.from({ length: T }, (_, i) => (i * 7 + 3) % m.vocab)];
  const r = await receptiveField(model, cut.table, runner, tokens, {
    output: 'out',
    position: t,
    objective: { kind: 'sum' },
    eps: 1e-2,
    attention: false,
    perturbAll,
  });
  await runner.dispose?.();
  return { r, exact: analyticProfile(m.layers, m.C, T, t) };
}

function nonzeroOffsets(g: number[], t: number): number[] {
  return g.flatMap((v, s) => (v !== 0 ? [s - t] : []));
}

describe('probe field: theoretical support', () => {
  it('reads the PyTorch Conv-Attn conv as kernel 3, pads 1 with its masked future tap dead: support [-1, 0]', () => {
    const layers = convStack(decodeModel(new Uint8Array(readFileSync(pytorch))));
    expect(layers).toEqual([{ kernel: 3, dilation: 1, padLeft: 1, deadTaps: [2], stride: 1 }]);
    expect(theoreticalField(layers).support).toEqual([-1, 0]);
  });
});

describe('probe field: finite-difference gradient through ONNX Runtime', () => {
  it('kernel 13, dilations 5,7,1: nonzero exactly on [-78, +78], within 1e-2 of the exact gradient', async () => {
    const T = 177;
    const t = 88;
    const { r, exact } = await measure(13, [5, 7, 1], T, t, true);
    expect(r.theoretical.radius).toBe(78);
    expect(r.perturbed).toBe(T);
    const offsets = nonzeroOffsets(r.gradient, t);
    expect(offsets).toEqual(Array.from({ length: 157 }, (_, i) => i - 78));
    for (let s = 0; s < T; s++) {
      if (exact[s] === 0) expect(r.gradient[s]).toBe(0);
      else expect(Math.abs(r.gradient[s] - exact[s]) / exact[s]).toBeLessThan(1e-2);
    }
    expect(r.erf_trf_ratio).toBeCloseTo(r.erf.r95! / 78, 12);
  });

  it('kernel 7, dilations 1,1,1: radius 9; only the support is run and the rest is exactly 0', async () => {
    const T = 40;
    const t = 20;
    const { r, exact } = await measure(7, [1, 1, 1], T, t, false);
    expect(r.theoretical.radius).toBe(9);
    expect(r.perturbed).toBe(19);
    expect(nonzeroOffsets(r.gradient, t)).toEqual(Array.from({ length: 19 }, (_, i) => i - 9));
    for (let s = t - 9; s <= t + 9; s++)
      expect(Math.abs(r.gradient[s] - exact[s]) / exact[s]).toBeLessThan(1e-2);
  });

  it('clips the support at the sequence edge (position 2 sees 0..11)', async () => {
    const { r, exact } = await measure(7, [1, 1, 1], 30, 2, false);
    expect(nonzeroOffsets(r.gradient, 2)).toEqual(Array.from({ length: 12 }, (_, i) => i - 2));
    for (let s = 0; s <= 11; s++) expect(Math.abs(r.gradient[s] - exact[s]) / exact[s]).toBeLessThan(1e-2);
  });
});
