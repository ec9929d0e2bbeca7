import { describe, expect, it } from 'vitest';
import { planRuns } from '../../../bin/reproduce/run';
import { PLANS, SCALES, rolesAt, type Numbers, type Plan } from '../../../reproduce/index';

const plans = Object.values(PLANS);

/** The seed's own numbers as if we had measured them, at a scale's roles. */
const seedNumbers = (plan: Plan, scale: 'quick' | 'full') =>
  Object.fromEntries(
    rolesAt(plan, scale, planRuns(plan, scale, null)).map(({ role }) => [role.key, role.seed]),
  ) as Record<string, Numbers>;

describe('the reproduce plans', () => {
  it('every role picks exactly one run of its grid at each scale it runs at, and the headline runs at both', () => {
    for (const plan of plans)
      for (const scale of SCALES) {
        const runs = planRuns(plan, scale, null);
        const roles = rolesAt(plan, scale, runs);
        expect(roles.length, `${plan.id} ${scale}`).toBeGreaterThanOrEqual(2);
        expect(new Set(roles.map((r) => r.run.name)).size).toBe(roles.length);
      }
  });

  it("every figure and probe names a role, and a model figure's role runs at both scales", () => {
    for (const plan of plans) {
      const keys = new Set(plan.roles.map((r) => r.key));
      for (const k of Object.keys(plan.probes)) expect(keys.has(k), `${plan.id} probe ${k}`).toBe(true);
      for (const f of plan.figures) {
        const named = f.kind === 'curves' ? f.roles : [f.role];
        for (const k of named) expect(keys.has(k), `${plan.id} figure ${f.file}`).toBe(true);
        if (f.kind !== 'curves')
          for (const scale of SCALES)
            expect(
              plan.roles.find((r) => r.key === f.role)!.match[scale],
              `${plan.id} ${f.file}`,
            ).toBeDefined();
      }
    }
  });

  it("the full scales are the seeds' tables in docs/grids: 16 runs for seed 000, the 6 curriculum runs for 001", () => {
    expect(planRuns(PLANS.seed000, 'full', null)).toHaveLength(16);
    expect(planRuns(PLANS.seed001, 'full', null)).toHaveLength(6);
    expect(planRuns(PLANS.seed002, 'full', null)[0].flags).toMatchObject({ 'd-model': 384, corpus: 'brown' });
    expect(planRuns(PLANS.seed004, 'full', null)[0].flags).toMatchObject({
      steps: 1000,
      batch: 100,
      lr: 0.01,
    });
  });

  it('--steps cuts every run and evaluates it at least twice', () => {
    for (const plan of plans)
      for (const r of planRuns(plan, 'quick', 6)) {
        expect(r.flags.steps).toBe(6);
        expect(Number(r.flags['eval-every'])).toBeLessThanOrEqual(3);
      }
  });

  it("the seed's own numbers pass its checks, and the same numbers with the runs swapped fail them", () => {
    const swap: Record<string, [string, string]> = {
      seed000: ['k7', 'k13_attn'],
      seed001: ['hard', 'curriculum'],
      seed003: ['conv', 'attn'],
    };
    for (const [id, [a, b]] of Object.entries(swap)) {
      const plan = PLANS[id as keyof typeof PLANS];
      for (const scale of SCALES) {
        const ours = seedNumbers(plan, scale);
        expect(
          plan.judge(ours, scale).every((c) => c.holds),
          `${id} ${scale}`,
        ).toBe(true);
        const swapped = { ...ours, [a]: ours[b], [b]: ours[a] };
        expect(
          plan.judge(swapped, scale).some((c) => !c.holds),
          `${id} ${scale} swapped`,
        ).toBe(true);
      }
    }
  });

  it("seed 002 and 004 decide on probe numbers: Conv-Attn more on the repeated sentence's first copy, letter attention above the rest", () => {
    const taps = (prev: number, cur: number, fut: number) => ({
      'tap-1.q90': prev,
      'tap0.q90': cur,
      'tap1.q90': fut,
    });
    const conv = { repeat_same: 0.39, ...taps(0.1, 0.13, 0.05) };
    expect(
      PLANS.seed002.judge({ conv_attn: conv, attn_attn: { repeat_same: 0.29 } }, 'full').map((c) => c.holds),
    ).toEqual([true, true, true]);
    expect(
      PLANS.seed002.judge(
        { conv_attn: { ...conv, repeat_same: 0.2 }, attn_attn: { repeat_same: 0.29 } },
        'full',
      )[0].holds,
    ).toBe(false);
    const attends = {
      letter0: 0.3,
      letter1: 0.3,
      letter2: 0.3,
      other0: 0.05,
      other1: 0.05,
      other2: 0.05,
      letter_argmax: 1,
    };
    const checks = PLANS.seed004.judge(
      { plain: { val_loss: 1, ...attends }, self: { val_loss: 0.8, ...attends, letter_argmax: 0.5 } },
      'quick',
    );
    expect(checks.map((c) => c.holds)).toEqual([true, true, false]);
  });
});
