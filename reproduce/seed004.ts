import { formatNumber, type Check, type Numbers, type Plan } from './plan';

/**
 * Seed 004, "Difference": count the letters A-C of a sequence with blanks and output |count(A) - count(B)|,
 * with learned output queries attending over the input. Each count's output step attends to its own letter's
 * positions; with self-attention over the output steps the model "usually trains much faster".
 */

// 004_c6d504ac7dd1b90b.txt, the two printed examples ("Encoder-Decoder Attention: Output step s attended mainly
// to Input steps ..."): `letterS` = the weight on each position of step S's letter, `otherS` = the mean weight on
// the other positions (from the printed row), `letter_argmax` = printed steps whose largest weight is on their
// letter (6 of 6). One input each: "A AABC CB " without self-attention, "BBBA ACABB" with it.
const SEED: Record<string, Numbers> = {
  plain: {
    val_loss: null,
    mask_error: null,
    letter0: 0.186,
    letter1: 0.204,
    letter2: 0.256,
    other0: 0.441 / 7,
    other1: 0.592 / 8,
    other2: 0.489 / 8,
    letter_argmax: 1,
    params: null,
  },
  self: {
    val_loss: null,
    mask_error: null,
    letter0: 0.196,
    letter1: 0.152,
    letter2: 0.292,
    other0: 0.41 / 7,
    other1: 0.237 / 5,
    other2: 0.707 / 9,
    letter_argmax: 1,
    params: null,
  },
};

const f = (x: number | null) => formatNumber(x, 'score');

export const seed004: Plan = {
  id: 'seed004',
  title: 'Seed 004: counting with learned output queries',
  claim:
    "Each count's learned output query attends to its own letter's positions; with self-attention over the output steps the model usually trains much faster (a lower loss in the same number of steps).",
  source:
    'shared/seeds/004_c6d504ac7dd1b90b.txt: the printed attention weights of the two examples (with and without --self_att) and the README\'s "usually trains much faster" (no loss is printed)',
  scales: {
    quick: {
      grid: 'seed004-quick.json',
      about: '500 steps of batch 100, lr 3e-3 (the seed: 1,000 steps of batch 100, lr 1e-2)',
    },
    full: {
      grid: 'seed004-full.json',
      about:
        "the seed's defaults: 1,000 steps of batch 100, lr 1e-2 (Adam: no weight decay, no warmup), hidden 64, length 10, letters A-C",
    },
  },
  roles: [
    {
      key: 'plain',
      label: 'learned queries',
      match: { quick: { 'self-attn': false }, full: { 'self-attn': false } },
      seed: SEED.plain,
    },
    {
      key: 'self',
      label: 'learned queries + output self-attention',
      match: { quick: { 'self-attn': true }, full: { 'self-attn': true } },
      seed: SEED.self,
    },
  ],
  columns: [
    { key: 'val_loss', label: 'validation loss', format: 'loss' },
    { key: 'mask_error', label: 'output steps wrong %', format: 'percent' },
    { key: 'letter0', label: 'A step on an A', format: 'score' },
    { key: 'letter1', label: 'B step on a B', format: 'score' },
    { key: 'letter2', label: 'C step on a C', format: 'score' },
    { key: 'other0', label: 'A step elsewhere', format: 'score' },
    { key: 'letter_argmax', label: 'argmax on its letter', format: 'score' },
    { key: 'params', label: 'model params', format: 'count' },
  ],
  probes: { plain: ['letter-attention'], self: ['letter-attention'] },
  figures: [
    { kind: 'attention', file: 'attention-plain', role: 'plain', input: 'task-sample' },
    { kind: 'attention', file: 'attention-self', role: 'self', input: 'task-sample' },
    { kind: 'curves', file: 'validation-loss', metric: 'val_loss', roles: ['plain', 'self'] },
    { kind: 'curves', file: 'steps-wrong', metric: 'mask_error', roles: ['plain', 'self'] },
  ],
  judge(ours): Check[] {
    const [p, s] = [ours.plain, ours.self];
    const attends = (n: Numbers) =>
      [0, 1, 2].every(
        (i) => n[`letter${i}`] !== null && n[`other${i}`] !== null && n[`letter${i}`]! > n[`other${i}`]!,
      ) && (n.letter_argmax ?? 0) >= 0.9;
    const weights = (n: Numbers) =>
      `${f(n.letter0)} / ${f(n.letter1)} / ${f(n.letter2)} on their letters, ${f(n.other0)} / ${f(n.other1)} / ${f(n.other2)} elsewhere, argmax on the letter ${formatNumber(n.letter_argmax, 'percent')}%`;
    return [
      {
        claim: 'with output self-attention the validation loss is lower after the same steps',
        seed: 'qualitative: "usually trains much faster ... achieves smaller loss with the same number of training steps"',
        ours: `${formatNumber(s.val_loss, 'loss')} vs ${formatNumber(p.val_loss, 'loss')}`,
        holds: s.val_loss !== null && p.val_loss !== null && s.val_loss < p.val_loss,
      },
      ...(['plain', 'self'] as const).map((k) => ({
        claim: `${k === 'plain' ? 'learned queries' : 'with self-attention'}: each count's step weights its own letter's positions above the rest, and its largest weight is on the letter (90% of inputs or more)`,
        seed: weights(SEED[k]),
        ours: weights(ours[k]),
        holds: attends(ours[k]),
      })),
    ];
  },
};
