/**
 * The seed models bench/fuzz mutates: a smallscope checkpoint built as the fuzz test builds it (conv-attn with
 * a learned positional embedding), the demo checkpoint, the PyTorch Conv-Attn exports and the GPT-2 style
 * exports (tests/fixtures). Plain Uint8Array copies: the mutators must never write into a seed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  demoGenerated,
  PYTORCH_GPT2,
  PYTORCH_GPT2_BIAS,
  PYTORCH_MODEL,
  PYTORCH_PLAIN,
} from '../../tests/fixtures/paths';
import { exportBytes } from '../../tests/helpers/export';
import { initBackend } from '../../training/backend';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

const file = (name: string, path: string): Seed => ({ name, bytes: new Uint8Array(readFileSync(path)) });

export async function loadSeeds(): Promise<Seed[]> {
  await initBackend();
  const spec = makeSpec('conv-attn', { d_model: 16, n_heads: 2, pos_embed: true, max_seq: 16 });
  const params = initParams(spec, new Rng(3));
  const own = new Uint8Array(await exportBytes(spec, params));
  disposeParams(params);
  return [
    { name: 'smallscope conv-attn (fuzz test seed)', bytes: own },
    // The byte-level generated-corpus Conv-Attn (the demo checkpoint when the fuzz cases were numbered).
    file('demo-generated conv-attn.onnx', demoGenerated('conv-attn')),
    file('pytorch conv_attn.onnx', PYTORCH_MODEL),
    file('pytorch conv_attn.plain.onnx', PYTORCH_PLAIN),
    file('pytorch-gpt2 gpt2.onnx', PYTORCH_GPT2),
    file('pytorch-gpt2 gpt2_bias.onnx', PYTORCH_GPT2_BIAS),
  ];
}
