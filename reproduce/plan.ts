import type { Flags, SweepRun } from '../training/sweep/grid';

/**
 * What `smallscope reproduce SEED` does for one seed, as data: the grid of runs at each scale (files in
 * docs/grids/, run by the sweep machinery), which of those runs the headline compares (roles), the seed's own
 * numbers for them (copied as constants, each with where in the seed it comes from), the probes and figures to
 * make, and the checks that decide whether the headline's direction reproduced. Plain TypeScript: the command
 * (bin/reproduce/) trains, measures and writes; a plan only says what and judges numbers.
 */

export const SCALES = ['quick', 'full'] as const;
export type Scale = (typeof SCALES)[number];

export const SEED_IDS = ['seed000', 'seed001', 'seed002', 'seed003', 'seed004'] as const;
export type SeedId = (typeof SEED_IDS)[number];

/** A run's numbers by key (fractions stay fractions; null: not measured or not given by the seed). */
export type Numbers = Record<string, number | null>;

/** How a number is shown: percent of a fraction, a loss, a score in [0, 1], an integer count. */
export type Format = 'percent' | 'loss' | 'score' | 'count';

export interface Column {
  key: string;
  label: string;
  format: Format;
}

/** The masked tasks' run table (seeds 000 and 001, selcopy and vselcopy), as the seeds' tables give it. */
export const MASKED_TASK_COLUMNS: Column[] = [
  { key: 'val_loss', label: 'validation loss', format: 'loss' },
  { key: 'mask_error', label: 'validation mask error %', format: 'percent' },
  { key: 'sample_error', label: 'validation sample error %', format: 'percent' },
  { key: 'params', label: 'model params', format: 'count' },
];

export interface Role {
  key: string;
  label: string;
  /** the flags that pick this role's run out of the grid at each scale (absent: not run at that scale) */
  match: Partial<Record<Scale, Flags>>;
  /** the seed's numbers for the run, by column key */
  seed: Numbers;
}

/** A measurement beyond summary.json, made on a role's checkpoint by bin/reproduce/measure.ts. */
export type Probe = 'induction' | 'repeat' | 'taps' | 'letter-attention';

export type FigureInput = 'task-sample' | 'dursley';

/** A figure of the report, drawn by the `figure` command's code. */
export type FigureSpec =
  | {
      kind: 'curves';
      file: string;
      /** the metric overlaid, one line per role (every run of the grid when `roles` is empty) */
      metric: 'val_loss' | 'mask_error' | 'sample_error';
      roles: string[];
    }
  | { kind: 'field' | 'heads'; file: string; role: string; input: FigureInput }
  /** one head's pattern (head 0 of `layer`, default 0) */
  | { kind: 'attention'; file: string; role: string; input: FigureInput; layer?: number }
  | { kind: 'filters' | 'taps' | 'induction'; file: string; role: string };

/** One statement of the claim, tested on our numbers. */
export interface Check {
  claim: string;
  /** what the seed reports for it */
  seed: string;
  /** what we measured */
  ours: string;
  holds: boolean;
}

/** A table of the report: the seed's numbers and ours, one row pair per run. */
export interface Comparison {
  title: string;
  columns: Column[];
  rows: { label: string; seed: Numbers; ours: Numbers }[];
}

export interface Plan {
  id: SeedId;
  title: string;
  /** the headline claim, in a sentence or two */
  claim: string;
  /** the seed file and where in it the numbers below come from */
  source: string;
  scales: Record<Scale, { grid: string; about: string }>;
  roles: Role[];
  /** the headline table's columns (keys of summary numbers or probes) */
  columns: Column[];
  /** probes by role key */
  probes: Record<string, Probe[]>;
  figures: FigureSpec[];
  /** extra tables (e.g. seed 002's conv taps) from the measured numbers */
  tables?: (ours: Record<string, Numbers>) => Comparison[];
  /** the checks of the headline's direction, on our numbers of the roles run at this scale */
  judge: (ours: Record<string, Numbers>, scale: Scale) => Check[];
}

/** Whether a run's flags include every flag of `match` (numbers and strings compared as written). */
export const matches = (flags: Flags, match: Flags) =>
  Object.entries(match).every(([k, v]) => String(flags[k] ?? false) === String(v));

/** The roles a scale runs, each with its run; a role that picks no run or several is an error in the plan. */
export function rolesAt(plan: Plan, scale: Scale, runs: SweepRun[]): { role: Role; run: SweepRun }[] {
  return plan.roles.flatMap((role) => {
    const m = role.match[scale];
    if (!m) return [];
    const found = runs.filter((r) => matches(r.flags, m));
    if (found.length !== 1)
      throw new Error(
        `${plan.id} ${scale}: role ${role.key} matches ${found.length} runs of ${plan.scales[scale].grid}`,
      );
    return [{ role, run: found[0] }];
  });
}

/** `a` beats `b` on the first of the keys where they differ (lower is better); null when they tie on all. */
export function lowerOn(a: Numbers, b: Numbers, keys: string[]): { better: boolean; key: string } | null {
  for (const key of keys) {
    const [x, y] = [a[key], b[key]];
    if (x === null || y === null || x === undefined || y === undefined || x === y) continue;
    return { better: x < y, key };
  }
  return null;
}

/** A number as the report prints it. */
export function formatNumber(x: number | null | undefined, format: Format): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (format === 'percent') return `${(100 * x).toFixed(2)}`;
  if (format === 'count') return Math.round(x).toLocaleString('en-US');
  if (format === 'score') return x.toFixed(3);
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(4);
}
