import { describe, expect, it } from 'vitest';
import { convStackParams, convStackSpec, type ConvStackConfig } from '../../../training/arch/conv-stack/spec';
import { paramCount } from '../../../training/models/params';
import type { AttnEntry } from '../../../format/manifest';

const cfg = (
  layers: number,
  channels: number,
  kernel: number,
  attn: AttnEntry[],
  norm: 'layer' | 'none',
): ConvStackConfig => ({
  layers,
  channels,
  kernel,
  dilation: Array<number>(layers).fill(1),
  attn,
  norm,
  seqLen: 64,
});
const T = 'T' as const;

// [channels, kernel, attn, model params] rows of seed 000's table (3 layers; LayerNorm on layers 1-2)
const SEED000: [number, number, AttnEntry[], number][] = [
  [32, 7, [0, 0, 0], 29_920],
  [32, 7, [0, T, T], 44_320],
  [128, 7, [0, 0, T], 492_544],
  [32, 13, [0, 0, 0], 48_352],
  [32, 7, [0, 0, T], 37_120],
  [64, 7, [0, 0, T], 131_584],
  [256, 7, [0, 0, T], 1_902_592],
  [512, 7, [0, 0, T], 7_475_200],
  [128, 13, [0, 0, T], 885_760],
  [32, 13, [0, 0, T], 61_696],
  [64, 13, [0, 0, T], 229_888],
];

// [layers, channels, attn, model params] rows of seed 001's tables (kernel 9, no normalisation)
const z = (n: number): AttnEntry[] => Array<AttnEntry>(n).fill(0);
const SEED001: [number, number, AttnEntry[], number][] = [
  [6, 64, z(6), 237_952],
  [6, 128, z(6), 918_272],
  [12, 64, z(12), 459_520],
  [18, 64, z(18), 681_088],
  [12, 128, z(12), 1_803_776],
  [5, 64, [0, 0, 4, 0, 0], 291_520],
  [5, 64, [0, 4, 0, 0, 4], 382_016],
  [5, 64, [0, 0, 4, 4, 4], 472_512],
];

describe('conv-stack parameter counts match the seed tables', () => {
  for (const [ch, ks, attn, want] of SEED000) {
    it(`seed 000: 3 layers, ${ch} channels, kernel ${ks}, attn ${attn.join(',')} has ${want} parameters`, () => {
      const c = cfg(3, ch, ks, attn, 'layer');
      expect(convStackParams(c)).toBe(want);
    });
  }
  for (const [l, ch, attn, want] of SEED001) {
    it(`seed 001: ${l} layers, ${ch} channels, kernel 9, attn ${attn.join(',')} has ${want} parameters`, () => {
      expect(convStackParams(cfg(l, ch, 9, attn, 'none'))).toBe(want);
    });
  }
  it('the model built from a config has exactly the closed-form number of parameters', () => {
    const configs = [
      cfg(3, 32, 7, [0, 0, 0], 'layer'),
      cfg(3, 32, 13, [0, 0, T], 'layer'),
      cfg(3, 16, 7, [0, T, T], 'layer'),
      cfg(5, 16, 9, [0, 4, 0, 0, 4], 'none'),
      cfg(6, 64, 9, z(6), 'none'),
    ];
    for (const c of configs) expect(paramCount(convStackSpec(c))).toBe(convStackParams(c));
  });
});
