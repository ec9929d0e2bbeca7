import { formatNumber, lowerOn, MASKED_TASK_COLUMNS, type Check, type Numbers, type Plan } from './plan';

/**
 * Seed 001, "Very Selective Copying" (the curriculum): a deep conv stack trained on questions of 2 to 5
 * operations solves 5-operation validation questions that the same net trained on 5-operation questions alone
 * does not learn (18 layers: 2.56% vs 98.5% sample error).
 */

// 001_c0a64999190eaaa4.txt. Trained on 5 ops: "Number of operations versus number of layers", rows nops 5
// (l 6 / 12 / 18). Trained on 2-5 ops: the curriculum table after "The bright one is the brighter one".
const SEED: Record<string, Numbers> = {
  l6_hard: { val_loss: 0.23663, mask_error: 0.719705, sample_error: 0.999104, params: 237952 },
  l6_curriculum: { val_loss: 0.208661, mask_error: 0.600816, sample_error: 0.995123, params: 237952 },
  l12_hard: { val_loss: 0.208893, mask_error: 0.636883, sample_error: 0.994327, params: 459520 },
  l12_curriculum: { val_loss: 0.0322987, mask_error: 0.0674761, sample_error: 0.273885, params: 459520 },
  l18_hard: { val_loss: 0.163338, mask_error: 0.502667, sample_error: 0.98547, params: 681088 },
  l18_curriculum: { val_loss: 0.00329394, mask_error: 0.00565287, sample_error: 0.025577, params: 681088 },
};

const pct = (x: number | null) => `${formatNumber(x, 'percent')}%`;

export const seed001: Plan = {
  id: 'seed001',
  title: 'Seed 001: a curriculum for very selective copying',
  claim:
    'Trained on 2-5 operations, a deep conv stack solves 5-operation validation questions that the same net trained on 5-operation questions alone does not learn (18 layers: 2.6% vs 98.5% validation sample error).',
  source:
    'shared/seeds/001_c0a64999190eaaa4.txt: the "nops" table (rows nops 5, l 6/12/18) and the curriculum table (nops 2,5, val-nops 5)',
  scales: {
    quick: {
      grid: 'seed001-quick.json',
      about:
        'hard only = 3-operation questions, curriculum = 1-3 operations, validated on 3 operations; questions of 4 letters, 6 layers of 32 channels with kernel 5, 1,500 steps of batch 32 = 48,000 samples per run (the seed: 5 letters, 5 vs 2-5 operations, 6-18 layers of 64 channels with kernel 9, about 4M samples; its numbers beside ours are the 18-layer pair)',
    },
    full: {
      grid: 'seed001-curriculum.json',
      about:
        "the seed's pairs: 6, 12 and 18 layers of 64 channels, hard only = 5 operations, curriculum = 2-5, validated on 5; 62,500 steps of batch 64 (4M samples) per run",
    },
  },
  roles: [
    {
      key: 'l6_hard',
      label: '6 layers, hard only',
      match: { full: { layers: 6, ops: '5' } },
      seed: SEED.l6_hard,
    },
    {
      key: 'l6_curriculum',
      label: '6 layers, curriculum',
      match: { full: { layers: 6, ops: '2,5' } },
      seed: SEED.l6_curriculum,
    },
    {
      key: 'l12_hard',
      label: '12 layers, hard only',
      match: { full: { layers: 12, ops: '5' } },
      seed: SEED.l12_hard,
    },
    {
      key: 'l12_curriculum',
      label: '12 layers, curriculum',
      match: { full: { layers: 12, ops: '2,5' } },
      seed: SEED.l12_curriculum,
    },
    // The headline pair. At quick scale the same contrast, smaller: validation on 3 operations, training on
    // 3 operations alone vs 1-3; the seed's numbers beside it are the 18-layer pair's.
    {
      key: 'hard',
      label: 'hard only (full: 18 layers)',
      match: { quick: { ops: '3' }, full: { layers: 18, ops: '5' } },
      seed: SEED.l18_hard,
    },
    {
      key: 'curriculum',
      label: 'curriculum (full: 18 layers)',
      match: { quick: { ops: '1,3' }, full: { layers: 18, ops: '2,5' } },
      seed: SEED.l18_curriculum,
    },
  ],
  columns: MASKED_TASK_COLUMNS,
  probes: {},
  figures: [
    {
      kind: 'curves',
      file: 'mask-error',
      metric: 'mask_error',
      roles: ['l6_hard', 'l6_curriculum', 'l12_hard', 'l12_curriculum', 'hard', 'curriculum'],
    },
    {
      kind: 'curves',
      file: 'sample-error',
      metric: 'sample_error',
      roles: ['l6_hard', 'l6_curriculum', 'l12_hard', 'l12_curriculum', 'hard', 'curriculum'],
    },
    {
      kind: 'curves',
      file: 'validation-loss',
      metric: 'val_loss',
      roles: ['l6_hard', 'l6_curriculum', 'l12_hard', 'l12_curriculum', 'hard', 'curriculum'],
    },
  ],
  judge(ours, scale): Check[] {
    const pairs = scale === 'full' ? ['l6', 'l12', ''] : [''];
    return pairs.map((p) => {
      const [hard, cur] = p ? [`${p}_hard`, `${p}_curriculum`] : ['hard', 'curriculum'];
      const seed = p ? [SEED[hard], SEED[cur]] : [SEED.l18_hard, SEED.l18_curriculum];
      const r = lowerOn(ours[cur], ours[hard], ['sample_error', 'mask_error']);
      const what = p ? `${p.slice(1)} layers` : scale === 'full' ? '18 layers' : 'the quick pair';
      return {
        claim: `${what}: the curriculum run beats training on the hard questions alone (sample error, then mask error)`,
        seed: `${pct(seed[1].sample_error)} vs ${pct(seed[0].sample_error)} sample error${p ? '' : ' (18 layers)'}`,
        ours: `${pct(ours[cur].sample_error)} vs ${pct(ours[hard].sample_error)} sample error, ${pct(ours[cur].mask_error)} vs ${pct(ours[hard].mask_error)} mask error`,
        holds: r?.better ?? false,
      };
    });
  },
};
