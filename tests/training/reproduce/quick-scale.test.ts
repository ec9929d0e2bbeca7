import { describe, it } from 'vitest';
import { checkReproduce } from './check';

/**
 * `smallscope reproduce SEED --scale quick` as written, for every seed: each run of the quick plan trains to
 * its own step count (docs/grids/seedNNN-quick.json), then the run table, the figures and the report with the
 * seed's numbers beside ours are written (check.ts). The verdicts are not asserted: at quick scale they are a
 * first look, measured in docs/reproduction.md, and float summation order differs between CPUs.
 */
const LIMIT = 900_000; // ms; about a minute each on an idle 2-core machine
describe('smallscope reproduce SEED --scale quick, as written', () => {
  it(
    'seed000: the four selective-copying runs train to the plan',
    () => void checkReproduce('seed000', null),
    LIMIT,
  );
  it('seed001: the curriculum pair trains to the plan', () => void checkReproduce('seed001', null), LIMIT);
  it(
    'seed002: Conv-Attn and Attn-Attn train on Brown to the plan',
    () => void checkReproduce('seed002', null),
    LIMIT,
  );
  it('seed003: the shapes pair trains to the plan', () => void checkReproduce('seed003', null), LIMIT);
  it(
    'seed004: counting with and without self-attention trains to the plan',
    () => void checkReproduce('seed004', null),
    LIMIT,
  );
});
