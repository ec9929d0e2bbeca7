import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../training/backend';
import { forward } from '../../training/models/model';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { crossEntropy } from '../../training/step';

beforeAll(async () => {
  await initBackend();
});

describe('causality', () => {
  it('the masked future conv tap gets exactly zero gradient while the t-1 and t taps do not', () => {
    const spec = makeSpec('conv-attn', { d_model: 16, max_seq: 32 });
    const params = initParams(spec, new Rng(5));
    const rng = new Rng(6);
    const tokens = Array.from({ length: 4 }, () => Array.from({ length: 13 }, () => rng.int(256)));
    const [future, prev, cur] = tf.tidy(() => {
      const x = tf.tensor2d(
        tokens.map((r) => r.slice(0, 12)),
        undefined,
        'int32',
      );
      const y = tf.tensor1d(
        tokens.flatMap((r) => r.slice(1)),
        'int32',
      );
      const W = params['blocks.0.conv.W'];
      const { grads } = tf.variableGrads(() => crossEntropy(forward(spec, params, x).logits, y), [W]);
      const g = grads[W.name]; // [tap, d_in, d_out]
      const tapAbsMax = (k: number) => tf.max(tf.abs(tf.slice(g, [k, 0, 0], [1, 16, 16]))).dataSync()[0];
      return [tapAbsMax(2), tapAbsMax(0), tapAbsMax(1)];
    });
    expect(future).toBe(0);
    expect(prev).toBeGreaterThan(1e-4);
    expect(cur).toBeGreaterThan(1e-4);
    disposeParams(params);
  });

  for (const kind of ['conv-attn', 'attn-attn'] as const) {
    it(`${kind}: the output at position t does not change when a token after t is perturbed`, () => {
      const spec = makeSpec(kind, { d_model: 16, n_heads: 2, residual: true, pos_embed: true, max_seq: 32 });
      const params = initParams(spec, new Rng(11));
      const T = 12;
      const s = 7; // perturbed position
      const base = Array.from({ length: T }, (_, i) => 100 + i);
      const changed = base.map((t, i) => (i === s ? 33 : t));
      const [a, b] = [base, changed].map((row) =>
        tf.tidy(() =>
          forward(spec, params, tf.tensor2d([row], undefined, 'int32'))
            .logits.dataSync()
            .slice(),
        ),
      );
      const V = spec.vocab;
      const diffAt = (t: number) => {
        let m = 0;
        for (let v = 0; v < V; v++) m = Math.max(m, Math.abs(a[t * V + v] - b[t * V + v]));
        return m;
      };
      const before = Math.max(...Array.from({ length: s }, (_, t) => diffAt(t)));
      const from = Math.min(...Array.from({ length: T - s }, (_, k) => diffAt(s + k)));
      expect(before).toBe(0); // positions < s: bit-identical
      expect(from).toBeGreaterThan(1e-4); // positions >= s do see the change
      disposeParams(params);
    });
  }
});
