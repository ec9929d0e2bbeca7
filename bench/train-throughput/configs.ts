/** The configurations of issue #7's table, shared by bench.ts and profile.ts. */
import { convStackSpec } from '../../training/arch/conv-stack/spec';
import { makeSpec, type ArchSpec } from '../../training/models/spec';

export interface Config {
  name: string;
  spec: ArchSpec;
  torch: Record<string, unknown>;
  batch: number;
  seqLen: number;
}

function stack(
  name: string,
  C: number,
  kernel: number,
  dilation: number[],
  attn: (0 | 'T')[],
  norm: 'layer' | 'none',
  batch: number,
  seqLen: number,
): Config {
  const spec = convStackSpec({ layers: dilation.length, channels: C, kernel, dilation, attn, norm, seqLen });
  return {
    name,
    spec,
    torch: { arch: 'conv-stack', d_model: C, kernel, dilation, attn, norm },
    batch,
    seqLen,
  };
}
function seed002(kind: 'conv-attn' | 'attn-attn', D: number): Config {
  return {
    name: `seed 002 ${kind === 'conv-attn' ? 'Conv-Attn' : 'Attn-Attn'} d=${D}`,
    spec: makeSpec(kind, { d_model: D, max_seq: 128 }),
    torch: { arch: kind, d_model: D },
    batch: 32,
    seqLen: 128,
  };
}

export function benchConfigs(): Config[] {
  return [
    // seed 000: selective copying, area 40 + 10 letters -> 51 positions, batch 64 (its example command)
    stack(
      'seed 000 conv-stack C=32 k=13 d=5,7,1 attn 0,0,T',
      32,
      13,
      [5, 7, 1],
      [0, 0, 'T'],
      'layer',
      64,
      51,
    ),
    stack(
      'seed 000 conv-stack C=128 k=13 d=5,7,1 attn 0,0,T',
      128,
      13,
      [5, 7, 1],
      [0, 0, 'T'],
      'layer',
      64,
      51,
    ),
    // seed 001: 6 layers, 64 channels, kernel 9 (its example command's dilations), 64 positions, batch 64
    stack(
      'seed 001 conv-stack C=64 k=9 d=1,2,3,4,5,1',
      64,
      9,
      [1, 2, 3, 4, 5, 1],
      [0, 0, 0, 0, 0, 0],
      'none',
      64,
      64,
    ),
    seed002('conv-attn', 64),
    seed002('attn-attn', 64),
    seed002('conv-attn', 384),
    seed002('attn-attn', 384),
  ];
}
