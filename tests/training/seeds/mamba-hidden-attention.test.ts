import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { hiddenAttention } from '../../../training/arch/mamba/hidden';
import { mambaSpec, scanInputs } from '../../../training/arch/mamba/model';
import { selectiveScan } from '../../../training/arch/mamba/scan';
import { forward } from '../../../training/models/model';
import { disposeParams, initParams } from '../../../training/models/params';
import { Rng } from '../../../training/random';
import { exportBytes, maxAbsDiff, runOnnx } from '../../helpers/export';

/**
 * Mamba's implicit attention (Ali et al. 2024): per channel, the scan is y_t = sum_s alpha[t, s] u_s (+ D u_t).
 * The matrices are checked against the scan they claim to rewrite, then the exported graph against tfjs.
 */
beforeAll(async () => {
  await initBackend();
});

describe('Mamba hidden attention: the selective scan as a T x T mixing matrix per channel', () => {
  it('alpha applied to u gives the scan readout C_t . h_t of every channel, and is 0 above the diagonal', () => {
    const spec = mambaSpec({ layers: 1, dModel: 8, dState: 4, seqLen: 12 });
    const params = initParams(spec, new Rng(9));
    const [B, T, E] = [2, 12, 16];
    tf.tidy(() => {
      const x = tf.randomNormal([B, T, 8], 0, 1, 'float32', 3) as tf.Tensor3D; // a block input
      const { dA, dBu, C, u, hidden } = scanInputs(spec, params, 0, x);
      const scanned = tf.sum(tf.mul(selectiveScan(dA, dBu), C), -1); // [batch, pos, E]
      const alpha = hiddenAttention(hidden); // [batch, t, s, E]
      expect(alpha.shape).toEqual([B, T, T, E]);
      // sum_s alpha[b, t, s, e] u[b, s, e]
      const mixed = tf.sum(tf.mul(alpha, tf.reshape(u, [B, 1, T, E])), 2); // [batch, t, E]
      const want = scanned.dataSync();
      expect(maxAbsDiff(mixed.dataSync(), want)).toBeLessThan(1e-4 * Math.max(1, ...want.map(Math.abs)));
      const a = alpha.arraySync() as number[][][][];
      for (let t = 0; t < T; t++)
        for (let s = t + 1; s < T; s++) expect(a[1][t][s].every((v) => v === 0)).toBe(true);
      expect(a[1][T - 1][0].some((v) => v !== 0)).toBe(true); // the first position still reaches the last
    });
    disposeParams(params);
  });

  it.each([
    [2, 8, 4],
    [3, 16, 8],
  ])(
    '%i layers, d_model %i, d_state %i: the exported blocks.{l}.attn.hook_pattern agree with tfjs within 1e-4',
    async (layers, dModel, dState) => {
      const spec = mambaSpec({ layers, dModel, dState, seqLen: 20 });
      const params = initParams(spec, new Rng(6));
      const bytes = await exportBytes(spec, params);
      const rng = new Rng(4);
      for (const T of [7, 20]) {
        const tokens = Array.from({ length: 2 }, () => Array.from({ length: T }, () => rng.int(256)));
        const ref = tf.tidy(() =>
          forward(spec, params, tf.tensor2d(tokens, undefined, 'int32')).patterns.map((p) => {
            expect(p.shape).toEqual([2, 1, T, T]);
            return p.dataSync().slice();
          }),
        );
        expect(ref).toHaveLength(layers);
        const out = await runOnnx(bytes, tokens);
        ref.forEach((p, l) => {
          const got = out[`blocks.${l}.attn.hook_pattern`];
          expect(maxAbsDiff(got, p)).toBeLessThan(1e-4);
        });
      }
      disposeParams(params);
    },
  );
});
