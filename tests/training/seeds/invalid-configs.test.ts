import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../format/errors';
import { configFromOptions } from '../../../training/run_config';

const base = {
  task: 'selcopy',
  arch: 'conv-stack',
  out: '/tmp/never-written',
  seqLen: 64,
  batch: 4,
  steps: 2,
  lr: 1e-3,
  warmup: 0.1,
  weightDecay: 0.01,
  seed: 0,
  dModel: 64,
  heads: 1,
};

const refused: [string, Record<string, unknown>, RegExp][] = [
  [
    'a dilation list shorter than the layer count',
    { layers: 3, dilation: '5,7' },
    /--dilation has 2 entries for 3 layers/,
  ],
  [
    'an --attn list whose length is not the layer count',
    { layers: 3, attn: '0,T' },
    /--attn has 2 entries for 3 layers/,
  ],
  ['an even kernel (no symmetric same padding)', { kernel: 6 }, /--kernel 6 is even/],
  ['an area too small for the letters', { area: 5, letters: 10 }, /--area 5 is too small for 10 letters/],
  ['an --attn entry that is not 0, T or heads', { attn: '0,0,X' }, /--attn entry 'X'/],
  [
    'heads that do not divide the channels',
    { channels: 30, attn: '0,0,4' },
    /4 heads do not divide --channels 30/,
  ],
  [
    'vselcopy items fewer than the list length',
    { task: 'vselcopy', items: 3, length: '5' },
    /--length 5 needs at least 5 different items/,
  ],
  ['vselcopy --ops MIN above MAX', { task: 'vselcopy', ops: '5,2' }, /--ops 5,2: MIN is above MAX/],
  ['a causal seed-002 model on a masked task', { arch: 'conv-attn' }, /--arch conv-attn is causal/],
  ['the non-causal conv stack on next-byte text', { task: 'text' }, /conv-stack is not causal/],
  [
    'counting with a length range',
    { task: 'counting', arch: 'counting', length: '5,10' },
    /--length for counting is one number/,
  ],
  [
    'counting fewer than two letters (no difference)',
    { task: 'counting', arch: 'counting', letters: 1 },
    /--letters must be in 2\.\.26/,
  ],
  ['an unknown learning-rate schedule', { schedule: 'linear' }, /--schedule must be cosine or constant/],
  [
    'the shapes regression on a token model',
    { task: 'shapes', arch: 'conv-stack' },
    /--task shapes is a regression/,
  ],
  [
    'shapes too short for its shapes',
    { task: 'shapes', arch: 'shapes-conv', size: 20 },
    /cannot hold 4 shapes/,
  ],
];

describe('invalid seed configurations are refused before training starts, with the reason', () => {
  for (const [what, opts, msg] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => configFromOptions({ ...base, ...opts })).toThrow(UsageError);
      expect(() => configFromOptions({ ...base, ...opts })).toThrow(msg);
    });
  }

  it('the CLI prints one line and exits 2, writing no run folder', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'seeds-')), 'run');
    const cli = path.resolve('bin/smallscope.js');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'train',
        '--task',
        'selcopy',
        '--arch',
        'conv-stack',
        '--layers',
        '3',
        '--dilation',
        '5,7',
        '--out',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--dilation has 2 entries for 3 layers/);
    expect(existsSync(out)).toBe(false);
  });

  it('the seed-000 example command line builds the 61,696-parameter model of the table', () => {
    const cfg = configFromOptions({
      ...base,
      area: 40,
      letters: 10,
      layers: 3,
      channels: 32,
      kernel: 13,
      dilation: '5,7,1',
      attn: '0,0,T',
      batch: 64,
      steps: 20000,
    });
    expect(cfg.seqLen).toBe(51);
    expect(cfg.arch).toMatchObject({
      kind: 'conv-stack',
      layers: 3,
      kernel: 13,
      dilation: [5, 7, 1],
      attn: [0, 0, 'T'],
    });
  });
});
