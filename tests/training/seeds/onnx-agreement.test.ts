import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { forward, patternLayers } from '../../../training/models/model';
import { convStackSpec, type ConvStackConfig } from '../../../training/arch/conv-stack/spec';
import { disposeParams, initParams, paramCount } from '../../../training/models/params';
import type { ArchSpec } from '../../../training/models/spec';
import { countingSpec } from '../../helpers/counting-spec';
import { Rng } from '../../../training/random';
import { exportBytes, maxAbsDiff, runOnnx } from '../../helpers/export';

beforeAll(async () => {
  await initBackend();
});

const stack = (c: Partial<ConvStackConfig>): ArchSpec =>
  convStackSpec({
    layers: 3,
    channels: 8,
    kernel: 7,
    dilation: [1, 1, 1],
    attn: [0, 0, 'T'],
    norm: 'layer',
    seqLen: 24,
    ...c,
  });

const cases: [string, ArchSpec][] = [
  ['seed-000 conv stack, kernel 7, attention T at layer 3, norm', stack({})],
  [
    'seed-000 conv stack, kernel 13, dilations 5,7,1, no attention',
    stack({ kernel: 13, dilation: [5, 7, 1], attn: [0, 0, 0] }),
  ],
  [
    'seed-001 conv stack, 5 layers, 2 multi-head attention layers (0,2,0,0,2), no norm',
    stack({ layers: 5, kernel: 5, dilation: [1, 2, 3, 4, 1], attn: [0, 2, 0, 0, 2], norm: 'none' }),
  ],
  ['two single-head attention layers (0,T,T)', stack({ attn: [0, 'T', 'T'] })],
];

describe('conv-stack: the exported ONNX graph computes what the tfjs model computes', () => {
  for (const [label, spec] of cases) {
    it(`${label}: logits and attention patterns agree within 1e-4`, async () => {
      const params = initParams(spec, new Rng(5));
      const rng = new Rng(2);
      for (const T of [13, 24]) {
        const tokens = Array.from({ length: 2 }, () => Array.from({ length: T }, () => 32 + rng.int(64)));
        const ref = tf.tidy(() => {
          const out = forward(spec, params, tf.tensor2d(tokens, undefined, 'int32'));
          return {
            logits: out.logits.dataSync().slice(),
            patterns: out.patterns.map((p) => p.dataSync().slice()),
          };
        });
        const onnx = await runOnnx(await exportBytes(spec, params), tokens);
        expect(maxAbsDiff(onnx.logits, ref.logits)).toBeLessThan(1e-4);
        const layers = patternLayers(spec);
        expect(
          Object.keys(onnx)
            .filter((k) => k.endsWith('hook_pattern'))
            .sort(),
        ).toEqual(layers.map((l) => `blocks.${l}.attn.hook_pattern`).sort());
        layers.forEach((l, i) =>
          expect(maxAbsDiff(onnx[`blocks.${l}.attn.hook_pattern`], ref.patterns[i])).toBeLessThan(1e-4),
        );
      }
      // every parameter of the model is a weight the graph uses: the counts agree
      expect(paramCount(spec)).toBeGreaterThan(0);
      disposeParams(params);
    });
  }
});

describe('shapes-conv (seed 003): the exported ONNX graph computes what the tfjs model computes', () => {
  for (const selfAttn of [false, true]) {
    it(`${selfAttn ? 'conv + self-attention' : 'conv'} net: prediction${selfAttn ? ' and attention pattern' : ''} agree within 1e-4`, async () => {
      const spec: ArchSpec = {
        kind: 'shapes-conv',
        vocab: 1,
        d_model: 8,
        n_heads: 1,
        residual: false,
        pos_embed: false,
        max_seq: 32,
        channels: 8,
        kernel: 5,
        layers: selfAttn ? 4 : 5,
        self_attn: selfAttn,
        input: 'signal',
      };
      const params = initParams(spec, new Rng(4));
      const rng = new Rng(9);
      const B = 2;
      const T = 32;
      const signal = Float32Array.from({ length: B * T }, () => rng.normal());
      const ref = tf.tidy(() => {
        const out = forward(spec, params, tf.tensor2d(signal, [B, T]));
        return {
          pred: out.logits.dataSync().slice(),
          patterns: out.patterns.map((p) => p.dataSync().slice()),
        };
      });
      const session = await ort.InferenceSession.create(await exportBytes(spec, params));
      const outs = await session.run({ signal: new ort.Tensor('float32', signal, [B, T]) });
      expect(maxAbsDiff(outs.prediction.data as Float32Array, ref.pred)).toBeLessThan(1e-4);
      expect(session.outputNames.filter((n) => n.endsWith('hook_pattern'))).toEqual(
        selfAttn ? ['blocks.1.attn.hook_pattern'] : [],
      );
      if (selfAttn)
        expect(
          maxAbsDiff(outs['blocks.1.attn.hook_pattern'].data as Float32Array, ref.patterns[0]),
        ).toBeLessThan(1e-4);
      expect(paramCount({ ...spec, channels: 64, d_model: 64 })).toBe(selfAttn ? 54_081 : 62_337); // PyTorch's count for the seed's two nets
      await session.release();
      disposeParams(params);
    });
  }
});

describe('counting (seed 004): learned output queries, non-square attention, ONNX = tfjs', () => {
  for (const selfAttn of [false, true]) {
    it(`${selfAttn ? 'with' : 'without'} output self-attention: logits and the [batch, 1, out step, in step] pattern${selfAttn ? ' and the [out, out] self pattern' : ''} agree within 1e-4`, async () => {
      const spec = countingSpec(selfAttn);
      const params = initParams(spec, new Rng(6));
      const tokens = [
        Array.from('AB BC A  C', (c) => c.charCodeAt(0)),
        Array.from('CCCAB  BBA', (c) => c.charCodeAt(0)),
      ];
      const ref = tf.tidy(() => {
        const out = forward(spec, params, tf.tensor2d(tokens, undefined, 'int32'));
        return {
          logits: out.logits.dataSync().slice(),
          patterns: out.patterns.map((p) => p.dataSync().slice()),
        };
      });
      const onnx = await runOnnx(await exportBytes(spec, params), tokens);
      expect(onnx.logits.length).toBe(2 * 4 * 11);
      expect(maxAbsDiff(onnx.logits, ref.logits)).toBeLessThan(1e-4);
      expect(onnx['blocks.0.attn.hook_pattern'].length).toBe(2 * 4 * 10); // out step x input step
      expect(maxAbsDiff(onnx['blocks.0.attn.hook_pattern'], ref.patterns[0])).toBeLessThan(1e-4);
      if (selfAttn)
        expect(maxAbsDiff(onnx['blocks.1.attn.hook_pattern'], ref.patterns[1])).toBeLessThan(1e-4);
      disposeParams(params);
    });
  }
});
