import {
  formatNumber,
  type Check,
  type Comparison,
  type Numbers,
  type Plan,
  type Scale,
} from '../../reproduce/plan';
import type { Drawn } from './figures';

/**
 * REPORT.md of a reproduction: the verdict first, then the claim, the scale, the seed's numbers beside ours, the
 * checks, the run table and the figures. Nothing here decides anything: the plan's checks do.
 */

export interface ReportInput {
  plan: Plan;
  scale: Scale;
  /** --steps: every run cut to this many steps (a smoke test) */
  steps: number | null;
  command: string;
  headline: Comparison;
  tables: Comparison[];
  checks: Check[];
  runTable: string;
  runs: { name: string; role: string | null; numbers: Numbers }[];
  /** Runs of the plan not finished (--finished): named, left out. */
  notRun?: string[];
  notes: string[];
  figures: Drawn[];
}

export type Verdict = 'reproduced' | 'partly' | 'not reproduced';

export function verdictOf(checks: Check[]): Verdict {
  const held = checks.filter((c) => c.holds).length;
  return held === checks.length ? 'reproduced' : held > 0 ? 'partly' : 'not reproduced';
}

function verdictLine(r: ReportInput): string {
  const held = r.checks.filter((c) => c.holds).length;
  const n = r.checks.length;
  if (r.steps !== null)
    return `**Smoke test, not a reproduction** (\`--steps ${r.steps}\`): every run stopped after ${r.steps} steps, far short of the plan, so the ${held} of ${n} checks that hold say nothing about the claim; this tests the pipeline.`;
  const v = verdictOf(r.checks);
  const at = r.scale === 'quick' ? 'at quick scale' : "at the seed's scale";
  const head =
    v === 'reproduced'
      ? `**Reproduced in direction ${at}**: all ${n} checks hold.`
      : v === 'partly'
        ? `**Partly reproduced ${at}**: ${held} of ${n} checks hold.`
        : `**Not reproduced ${at}**: none of the ${n} checks holds.`;
  const more =
    r.scale === 'quick' && v !== 'reproduced'
      ? " Quick scale trains a small fraction of the seed's samples; the claim may need the seed's length (`--scale full`)."
      : '';
  return head + more;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function comparisonMd(c: Comparison): string {
  const head = `| run | numbers | ${c.columns.map((k) => cell(k.label)).join(' | ')} |`;
  const rule = `| :-- | :-- | ${c.columns.map(() => '--:').join(' | ')} |`;
  const rows = c.rows.flatMap((r) => [
    `| ${cell(r.label)} | seed | ${c.columns.map((k) => formatNumber(r.seed[k.key], k.format)).join(' | ')} |`,
    `|  | ours | ${c.columns.map((k) => formatNumber(r.ours[k.key], k.format)).join(' | ')} |`,
  ]);
  return [`### ${c.title}`, '', head, rule, ...rows, ''].join('\n');
}

function checksMd(checks: Check[]): string {
  return [
    '| claim | seed | ours | holds |',
    '| :-- | :-- | :-- | :-- |',
    ...checks.map(
      (c) => `| ${cell(c.claim)} | ${cell(c.seed)} | ${cell(c.ours)} | ${c.holds ? 'yes' : 'no'} |`,
    ),
    '',
  ].join('\n');
}

function trainedMd(runs: ReportInput['runs']): string {
  const n = (x: number | null | undefined) => formatNumber(x ?? null, 'count');
  return runs
    .map((r) => {
      const u = r.numbers;
      const samples = u.steps !== null && u.batch !== null ? u.steps! * u.batch! : null;
      const t = u.train_time_s !== null ? `${(u.train_time_s! / 60).toFixed(2)} min of training` : '';
      return `- \`${r.name}\`${r.role ? ` (${r.role})` : ''}: ${n(u.steps)} steps of batch ${n(u.batch)} = ${n(samples)} samples, ${t}`;
    })
    .join('\n');
}

export function reportMd(r: ReportInput): string {
  const { plan } = r;
  const about = plan.scales[r.scale].about;
  return [
    `# ${plan.title}`,
    '',
    verdictLine(r),
    '',
    `**Claim** (the seed): ${plan.claim}`,
    '',
    `**The seed's numbers** come from ${plan.source}; a dash is a number the seed does not give.`,
    '',
    `**Scale**: ${r.scale}: ${about}. Runs: \`docs/grids/${plan.scales[r.scale].grid}\`.`,
    '',
    ...(r.notRun?.length
      ? [
          `**Runs not yet trained** (${r.notRun.length} of the plan's ${r.notRun.length + r.runs.length}; this report covers the finished ones, \`--finished\`): ${r.notRun.map((n) => `\`${n}\``).join(', ')}.`,
          '',
        ]
      : []),
    `**Command**: \`${r.command}\``,
    '',
    '## The seed beside us',
    '',
    comparisonMd(r.headline),
    ...r.tables.map(comparisonMd),
    '## Checks',
    '',
    checksMd(r.checks),
    ...(r.notes.length ? ['Measured on:', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    '## Runs',
    '',
    trainedMd(r.runs),
    '',
    'The run table (`smallscope table runs`):',
    '',
    r.runTable.trimEnd(),
    '',
    '## Figures',
    '',
    ...r.figures.flatMap((f) => [`### ${f.title}`, '', `![${f.title}](${f.file})`, '', `*${f.caption}*`, '']),
  ].join('\n');
}
