import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../training/backend';
import { forward } from '../../training/models/model';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec, type ArchSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { decodeModel } from '../../format/onnx/model';
import { exposeOutputs } from '../../probes/onnx/surgery';
import { exportBytes, maxAbsDiff, runOnnx } from '../helpers/export';

beforeAll(async () => {
  await initBackend();
});

const cases: [string, ArchSpec][] = [
  ['conv-attn (seed shape)', makeSpec('conv-attn', { d_model: 16, max_seq: 16 })],
  ['attn-attn (seed shape)', makeSpec('attn-attn', { d_model: 16, max_seq: 16 })],
  [
    'conv-attn, residual, pos-embed, 2 heads',
    makeSpec('conv-attn', { d_model: 16, n_heads: 2, residual: true, pos_embed: true, max_seq: 16 }),
  ],
  [
    'attn-attn, residual, pos-embed, 2 heads',
    makeSpec('attn-attn', { d_model: 16, n_heads: 2, residual: true, pos_embed: true, max_seq: 16 }),
  ],
];

describe('the exported ONNX graph computes what the tfjs model computes', () => {
  for (const [label, spec] of cases) {
    it(`${label}: logits and every attention pattern agree within 1e-4 (ONNX Runtime vs tfjs)`, async () => {
      const params = initParams(spec, new Rng(7));
      const rng = new Rng(3);
      // Two different lengths: the ONNX causal mask is built from the input's dynamic shape.
      for (const T of [11, 16]) {
        const tokens = Array.from({ length: 3 }, () => Array.from({ length: T }, () => rng.int(256)));
        const ref = tf.tidy(() => {
          const out = forward(spec, params, tf.tensor2d(tokens, undefined, 'int32'));
          return {
            logits: out.logits.dataSync().slice(),
            patterns: out.patterns.map((p) => p.dataSync().slice()),
            conv: out.convOut?.dataSync().slice(),
          };
        });
        const onnx = await runOnnx(await exportBytes(spec, params), tokens);
        expect(maxAbsDiff(onnx.logits, ref.logits)).toBeLessThan(1e-4);
        ref.patterns.forEach((p, l) => {
          const o = onnx[`blocks.${l}.attn.hook_pattern`];
          expect(o.length).toBe(3 * spec.n_heads * T * T);
          expect(maxAbsDiff(o, p)).toBeLessThan(1e-4);
        });
        expect(Object.keys(onnx).filter((k) => k.endsWith('hook_pattern')).length).toBe(ref.patterns.length);
        if (ref.conv) expect(maxAbsDiff(onnx['blocks.0.hook_conv_out'], ref.conv)).toBeLessThan(1e-4);
      }
      disposeParams(params);
    });
  }

  it('the causal mask makes the upper triangle of every pattern exactly 0, in tfjs and in ONNX', async () => {
    const spec = makeSpec('attn-attn', { d_model: 8, n_heads: 2, max_seq: 16 });
    const params = initParams(spec, new Rng(1));
    const T = 9;
    const tokens = [Array.from({ length: T }, (_, i) => 97 + i)];
    const tfPatterns = tf.tidy(() =>
      forward(spec, params, tf.tensor2d(tokens, undefined, 'int32')).patterns.map((p) =>
        p.dataSync().slice(),
      ),
    );
    const onnx = await runOnnx(await exportBytes(spec, params), tokens);
    let aboveMax = 0;
    let rowSumErr = 0;
    for (const [l, p] of tfPatterns.entries()) {
      for (const pat of [p, onnx[`blocks.${l}.attn.hook_pattern`]]) {
        for (let h = 0; h < 2; h++)
          for (let i = 0; i < T; i++) {
            let s = 0;
            for (let j = 0; j < T; j++) {
              const a = pat[(h * T + i) * T + j];
              s += a;
              if (j > i) aboveMax = Math.max(aboveMax, Math.abs(a));
            }
            rowSumErr = Math.max(rowSumErr, Math.abs(s - 1));
          }
      }
    }
    expect(aboveMax).toBe(0);
    expect(rowSumErr).toBeLessThan(1e-5);
    disposeParams(params);
  });

  it('the causal mask added to the scores is 0 where key <= query and -inf where key > query, at any length', async () => {
    const spec = makeSpec('conv-attn', { d_model: 8, max_seq: 16 });
    const params = initParams(spec, new Rng(2));
    const bytes = await exportBytes(spec, params);
    disposeParams(params);
    const withMask = exposeOutputs(
      bytes,
      ['causal_mask'],
      decodeModel(bytes).outputs.map((o) => o.name),
    );
    for (const T of [1, 2, 7]) {
      const mask = (await runOnnx(withMask, [Array.from({ length: T }, () => 97)])).causal_mask;
      const want = Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -Infinity : 0));
      // Object.is: +0 exactly (x + 0 = x keeps every kept score as it was), never -0 or a finite "large" value.
      expect(
        Array.from(mask).every((v, i) => Object.is(v, want[i])),
        `T = ${T}: ${Array.from(mask)}`,
      ).toBe(true);
    }
  });
});
