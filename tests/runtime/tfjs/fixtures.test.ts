import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFeeds, planFeeds } from '../../../format/feeds';
import { decodeModel } from '../../../format/onnx/model';
import { feedTensor } from '../../../runtime/tfjs/feeds';
import { GraphProgram } from '../../../runtime/tfjs/interpreter';
import { initBackend } from '../../../training/backend';
import { convStackSpec } from '../../../training/arch/conv-stack/spec';
import { lstmSpec } from '../../../training/arch/lstm/model';
import { mambaSpec } from '../../../training/arch/mamba/model';
import { makeSpec, type ArchSpec } from '../../../training/models/spec';
import {
  demoGenerated,
  FIXTURES,
  PYTORCH_GRAD,
  PYTORCH_GPT2,
  PYTORCH_GPT2_BIAS,
  PYTORCH_HF,
  PYTORCH_MODEL,
  PYTORCH_PLAIN,
} from '../../fixtures/paths';
import { countingSpec } from '../../helpers/counting-spec';
import { checkpoint, randomRows } from '../../helpers/own-checkpoint';

/**
 * The interpreter's forward pass (every node of the graph as tfjs ops, from the token ids) against ONNX
 * Runtime on every model the tests keep: the PyTorch and Hugging Face exports, the demo checkpoints, and
 * smallscope checkpoints of every architecture with a token input (LSTM and Mamba through the LSTM and Scan
 * ops). The logits must agree within 1e-4 of their largest magnitude.
 */
beforeAll(async () => {
  await initBackend();
});

async function compare(bytes: Uint8Array, vocab: number, T = 19) {
  const model = decodeModel(bytes);
  const plan = planFeeds(model.inputs);
  const rows = randomRows(2, T, vocab, 9);
  const feeds = buildFeeds(plan, rows);
  const output = model.outputs[0].name;
  const program = new GraphProgram(model);
  const ours = tf.tidy(() =>
    Float32Array.from(
      program.run(Object.fromEntries(feeds.map((f) => [f.name, feedTensor(f)])), [output])[output].dataSync(),
    ),
  );
  program.dispose();
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const out = await session.run(
    Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor(f.type, f.data as Float32Array, f.dims)])),
    [output],
  );
  await session.release();
  const theirs = out[output].data as Float32Array;
  expect(ours.length).toBe(theirs.length);
  // A loop, not Math.max(...): a [1, 256, 4352] logits tensor is more arguments than the stack holds.
  const scale = theirs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  theirs.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ours[i]))));
  expect(worst / scale).toBeLessThan(1e-4);
}

const demo = (f: string) => fileURLToPath(new URL(`../../../static/checkpoints/${f}`, import.meta.url));
const files: [string, string, number][] = [
  ['PyTorch Conv-Attn (Conv, Where(-inf), Softmax)', PYTORCH_MODEL, 256],
  ['PyTorch Conv-Attn, logits only', PYTORCH_PLAIN, 256],
  ['PyTorch GPT-2 style (LayerNorm by ReduceMean, Erf GELU, Split, Range mask)', PYTORCH_GPT2, 256],
  ['PyTorch GPT-2 style with a sliced bias buffer', PYTORCH_GPT2_BIAS, 256],
  ['Hugging Face BPE GPT-2', join(PYTORCH_HF, 'bpe/model.onnx'), 300],
  ['Hugging Face GPT-2 with attention_mask', join(PYTORCH_HF, 'gpt2_mask/model.onnx'), 256],
  ['Hugging Face nn.MultiheadAttention (Gemm, Trilu)', join(PYTORCH_HF, 'mha/model.onnx'), 256],
  ['a graph with an empty past key/value input', join(PYTORCH_HF, 'extra/past.onnx'), 10],
  ['PyTorch dilated conv net', join(PYTORCH_GRAD, 'selcopy_conv.onnx'), 256],
  ['PyTorch dilated conv net with attention', join(PYTORCH_GRAD, 'selcopy_attn.onnx'), 256],
  ['generated-corpus Conv-Attn (bytes)', demoGenerated('conv-attn'), 256],
  ['generated-corpus Attn-Attn (bytes)', demoGenerated('attn-attn'), 256],
  ['demo Conv-Attn (Brown, d_model 384, GPT-2 BPE ids)', demo('conv-attn.onnx'), 256],
  ['demo Attn-Attn (Brown, d_model 384, GPT-2 BPE ids)', demo('attn-attn.onnx'), 256],
];

describe('interpreter forward = ONNX Runtime on the fixture models (logits within 1e-4)', () => {
  it('lists every .onnx fixture but the one no rule can feed', () => {
    const onnxFiles = readdirSync(FIXTURES, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => join(FIXTURES, f));
    const listed = files.map(([, f]) => f);
    expect(onnxFiles.filter((f) => !listed.includes(f))).toEqual([
      join(FIXTURES, 'pytorch-hf/extra/unfillable.onnx'),
    ]);
  });
  for (const [label, file, vocab] of files) {
    it(label, async () => {
      await compare(new Uint8Array(readFileSync(file)), vocab);
    });
  }
});

describe('interpreter forward = ONNX Runtime on smallscope checkpoints of every kind', () => {
  const specs: [string, ArchSpec][] = [
    [
      'conv-attn, 2 heads, residual, positions',
      makeSpec('conv-attn', { d_model: 16, n_heads: 2, residual: true, pos_embed: true, max_seq: 32 }),
    ],
    ['attn-attn', makeSpec('attn-attn', { d_model: 16, max_seq: 32 })],
    [
      'conv-stack with LayerNorm and QK attention',
      convStackSpec({
        layers: 3,
        channels: 8,
        kernel: 3,
        dilation: [1, 2, 1],
        attn: [0, 0, 'T'],
        norm: 'layer',
        seqLen: 32,
      }),
    ],
    ['lstm (LSTM op)', lstmSpec({ layers: 2, hidden: 8, seqLen: 32 })],
    ['mamba (Scan op)', mambaSpec({ layers: 2, dModel: 8, dState: 4, seqLen: 32 })],
    ['counting, with self-attention over the output steps', countingSpec(true)],
  ];
  for (const [label, spec] of specs) {
    it(label, async () => {
      await compare(await checkpoint(spec, 5), 256, spec.kind === 'counting' ? 10 : 19);
    });
  }
});
