import { formatNumber, type Check, type Numbers, type Plan } from './plan';

/**
 * Seed 003, "Attention intuition" (after F. Fleuret's lecture): 1-D signals of triangles and rectangles whose
 * target heights are the average of their kind's; a 5-layer conv net against the same net with a
 * self-attention layer after conv 2. With the same training the attention net reaches a much lower MSE.
 */

// 003_751d789a89d75e86.txt, the notebook's printed output: the loss of the last training batch of epochs 0,
// 10, 20, 30 (and 40 for the conv net; the attention net's output stops after epoch 30). `val_loss`: the last
// printed loss; `val_loss_fifth`: epoch 10 of 50, a fifth of the training. Training-batch MSE, not validation.
const SEED: Record<string, Numbers> = {
  conv: { val_loss: 0.007211305201053619, val_loss_fifth: 0.006643436849117279, params: null },
  attn: { val_loss: 0.0011634223628789186, val_loss_fifth: 0.002573534846305847, params: null },
};

const f = (x: number | null) => formatNumber(x, 'loss');

export const seed003: Plan = {
  id: 'seed003',
  title: 'Seed 003: attention intuition (shapes)',
  claim:
    'With the same training, the conv net with a self-attention layer learns the shapes task much faster and reaches a much lower MSE than the 5-layer conv net, which cannot see far enough to average the heights.',
  source:
    "shared/seeds/003_751d789a89d75e86.txt, the notebook's printed losses (Epoch 0/10/20/30/40, one training batch each; training MSE, not validation)",
  scales: {
    quick: {
      grid: 'seed003-quick.json',
      about:
        '400 steps of batch 16 = 6,400 signals per run (the seed: Adam lr 1e-3, batch 32, 50 epochs of 10,000 = 500,000)',
    },
    full: {
      grid: 'seed003-full.json',
      about:
        "the seed's training: batch 32, lr 1e-3 without weight decay or warmup, 15,650 steps = 50 epochs of 10,000 signals (but fresh signals every step, and a cosine decay the seed's constant-rate Adam does not have)",
    },
  },
  roles: [
    {
      key: 'conv',
      label: '5-layer conv',
      match: { quick: { 'self-attn': false }, full: { 'self-attn': false } },
      seed: SEED.conv,
    },
    {
      key: 'attn',
      label: 'conv + self-attention',
      match: { quick: { 'self-attn': true }, full: { 'self-attn': true } },
      seed: SEED.attn,
    },
  ],
  columns: [
    { key: 'val_loss', label: 'final MSE (ours: validation; seed: last printed batch)', format: 'loss' },
    { key: 'val_loss_fifth', label: 'MSE at a fifth of training', format: 'loss' },
    { key: 'params', label: 'model params', format: 'count' },
  ],
  probes: {},
  figures: [{ kind: 'curves', file: 'validation-mse', metric: 'val_loss', roles: ['conv', 'attn'] }],
  judge(ours): Check[] {
    const [c, a] = [ours.conv, ours.attn];
    const lower = (k: string) => a[k] !== null && c[k] !== null && a[k]! < c[k]!;
    return [
      {
        claim: 'the attention net ends with the lower MSE',
        seed: `${f(SEED.attn.val_loss)} vs ${f(SEED.conv.val_loss)}`,
        ours: `${f(a.val_loss)} vs ${f(c.val_loss)}`,
        holds: lower('val_loss'),
      },
      {
        claim: 'the attention net is ahead already after a fifth of the training (faster)',
        seed: `${f(SEED.attn.val_loss_fifth)} vs ${f(SEED.conv.val_loss_fifth)}`,
        ours: `${f(a.val_loss_fifth)} vs ${f(c.val_loss_fifth)}`,
        holds: lower('val_loss_fifth'),
      },
    ];
  },
};
