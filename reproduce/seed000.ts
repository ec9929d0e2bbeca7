import { formatNumber, lowerOn, MASKED_TASK_COLUMNS, type Check, type Numbers, type Plan } from './plan';

/**
 * Seed 000, "How does receptive field size increase with self-attention": a 3-layer conv net on selective
 * copying. Neither a large receptive field (kernel 13, dilations 5,7,1: radius 78) nor self-attention at layer
 * 3 alone solves it; both together do (0% sample error).
 */

// The seed's results table (000_8ea31c83008847b0.txt, "|   area |   l |   ch | ..."), rows area 40, 32 channels.
const SEED: Record<string, Numbers> = {
  k7: { val_loss: 0.428964, mask_error: 0.889958, sample_error: 1.0, params: 29920 },
  k13: { val_loss: 0.147143, mask_error: 0.247432, sample_error: 0.922472, params: 48352 },
  k7_attn: { val_loss: 0.060434, mask_error: 0.139844, sample_error: 0.820064, params: 37120 },
  k13_attn: { val_loss: 1.91189e-6, mask_error: 0, sample_error: 0, params: 61696 },
};

const k7 = { kernel: 7, dilation: '1' };
const k13 = { kernel: 13, dilation: '5,7,1' };
// The full grid (the seed's table) has areas 40 and 80 and several widths: the headline is area 40, 32 channels.
const FULL = { area: 40, channels: 32 };

const pct = (x: number | null) => `${formatNumber(x, 'percent')}%`;

export const seed000: Plan = {
  id: 'seed000',
  title: 'Seed 000: receptive field and self-attention (selective copying)',
  claim:
    'Neither a large receptive field (kernel 13, dilations 5,7,1) nor self-attention at layer 3 alone lets a 3-layer conv net solve selective copying; both together do (0% validation sample error).',
  source:
    'shared/seeds/000_8ea31c83008847b0.txt, the results table: rows area 40, l 3, ch 32 (kernel 7 / kernel 13 dil 5,7,1, attn none / 0,0,T)',
  scales: {
    quick: {
      grid: 'seed000-quick.json',
      about:
        'area 20 with 5 letters (the seed: area 40, 10 letters), 800 steps of batch 32 = 25,600 samples per run (the seed: about 4M)',
    },
    full: {
      grid: 'seed000-selcopy.json',
      about:
        "the seed's table: 16 runs, areas 40 and 80, 32-512 channels, 60,000 steps of batch 64 (3.84M samples) per run",
    },
  },
  roles: [
    {
      key: 'k7',
      label: 'kernel 7',
      match: { quick: { ...k7, attn: '0,0,0' }, full: { ...FULL, ...k7, attn: '0,0,0' } },
      seed: SEED.k7,
    },
    {
      key: 'k13',
      label: 'kernel 13, dil 5,7,1',
      match: { quick: { ...k13, attn: '0,0,0' }, full: { ...FULL, ...k13, attn: '0,0,0' } },
      seed: SEED.k13,
    },
    {
      key: 'k7_attn',
      label: 'kernel 7 + attn 0,0,T',
      match: { quick: { ...k7, attn: '0,0,T' }, full: { ...FULL, ...k7, attn: '0,0,T' } },
      seed: SEED.k7_attn,
    },
    {
      key: 'k13_attn',
      label: 'kernel 13, dil 5,7,1 + attn 0,0,T',
      match: { quick: { ...k13, attn: '0,0,T' }, full: { ...FULL, ...k13, attn: '0,0,T' } },
      seed: SEED.k13_attn,
    },
  ],
  columns: MASKED_TASK_COLUMNS,
  probes: {},
  figures: [
    {
      kind: 'curves',
      file: 'sample-error',
      metric: 'sample_error',
      roles: ['k7', 'k13', 'k7_attn', 'k13_attn'],
    },
    { kind: 'curves', file: 'mask-error', metric: 'mask_error', roles: ['k7', 'k13', 'k7_attn', 'k13_attn'] },
    { kind: 'field', file: 'field-k7', role: 'k7', input: 'task-sample' },
    { kind: 'field', file: 'field-k13', role: 'k13', input: 'task-sample' },
    { kind: 'attention', file: 'attention-k13-attn', role: 'k13_attn', input: 'task-sample' },
  ],
  judge(ours): Check[] {
    const both = ours.k13_attn;
    const checks: Check[] = ['k7', 'k13', 'k7_attn'].map((k) => {
      const r = lowerOn(both, ours[k], ['sample_error', 'mask_error']);
      return {
        claim: `kernel 13 + attention is better than ${seed000.roles.find((x) => x.key === k)!.label} (sample error, then mask error)`,
        seed: `${pct(SEED.k13_attn.sample_error)} vs ${pct(SEED[k].sample_error)} sample error`,
        ours: `${pct(both.sample_error)} vs ${pct(ours[k].sample_error)} sample error, ${pct(both.mask_error)} vs ${pct(ours[k].mask_error)} mask error`,
        holds: r?.better ?? false,
      };
    });
    checks.push({
      claim: 'kernel 13 + attention solves the task (0% validation sample error)',
      seed: pct(SEED.k13_attn.sample_error),
      ours: pct(both.sample_error),
      holds: both.sample_error === 0,
    });
    return checks;
  },
};
