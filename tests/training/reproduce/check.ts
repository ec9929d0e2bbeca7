import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { planRuns } from '../../../bin/reproduce/run';
import { PLANS, formatNumber, rolesAt, type SeedId } from '../../../reproduce/index';

/**
 * `smallscope reproduce SEED --scale quick` end to end, and what each file it writes must hold: one table row
 * and one run folder per run of the plan, every figure of the plan drawn, the report with the seed's numbers
 * beside ours for every headline run and a line per check. `steps` cuts every run short (`--steps`); null runs
 * the plan as written, and each run must then have trained to the plan's own step count.
 */
const cli = path.resolve('bin/smallscope.js');
// VITEST set would tell the CLI that vitest compiles the figure components for it (figures/compile/svelte-loader.ts).
export const run = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, VITEST: '' } });
export function checkReproduce(seed: SeedId, steps: number | null) {
  const plan = PLANS[seed];
  const runs = planRuns(plan, 'quick', steps);
  const roles = rolesAt(plan, 'quick', runs);
  const out = path.join(mkdtempSync(path.join(tmpdir(), `reproduce-${seed}-`)), 'out');
  const args = [
    'reproduce',
    seed,
    '--scale',
    'quick',
    ...(steps === null ? [] : ['--steps', String(steps)]),
    '--out',
    out,
  ];

  const first = run([...args, '--json']);
  expect(first.stderr).toMatch(new RegExp(`${runs.length}/${runs.length}\\]`));
  expect(first.status, first.stderr).toBe(0);
  const result = JSON.parse(first.stdout);
  expect(result).toMatchObject({ seed, scale: 'quick', steps, trained: runs.map((r) => r.name) });
  expect(['reproduced', 'partly', 'not reproduced']).toContain(result.verdict);

  // The run table: one row per run of the plan.
  const table = readFileSync(path.join(out, 'table.md'), 'utf8').trim().split('\n');
  expect(table).toHaveLength(2 + runs.length);
  expect(readdirSync(path.join(out, 'runs')).sort()).toEqual(runs.map((r) => r.name).sort());
  // Each run trained as far as the plan (or --steps) says.
  const summaries = new Map(
    runs.map((r) => [
      r.name,
      JSON.parse(readFileSync(path.join(out, 'runs', r.name, 'summary.json'), 'utf8')),
    ]),
  );
  for (const r of runs) expect(summaries.get(r.name).steps, r.name).toBe(Number(r.flags.steps));

  // Every figure of the plan, an SVG with drawn content.
  for (const f of plan.figures) {
    const svg = readFileSync(path.join(out, 'figures', `${f.file}.svg`), 'utf8');
    expect(svg.startsWith('<svg') || svg.startsWith('<?xml'), f.file).toBe(true);
    expect(svg).toMatch(/<\/svg>\s*$/);
    expect(svg.match(/<(path|rect|line|circle|polyline)\b/g)?.length ?? 0, f.file).toBeGreaterThan(5);
  }

  // REPORT.md: the claim, the seed's numbers beside ours for every headline run, the checks.
  const report = readFileSync(path.join(out, 'REPORT.md'), 'utf8');
  expect(report).toContain(plan.claim);
  if (steps === null) expect(report).not.toMatch(/Smoke test/);
  else expect(report).toMatch(/Smoke test, not a reproduction/);
  const start = report.indexOf('### Headline runs');
  const headline = report.slice(start, report.indexOf('\n#', start + 1));
  expect(headline.match(/^\| [^|]+ \| seed \|/gm)).toHaveLength(roles.length);
  expect(headline.match(/^\| {2}\| ours \|/gm)).toHaveLength(roles.length);
  for (const { role, run: r } of roles) {
    const summary = summaries.get(r.name);
    const lines = headline.split('\n');
    const line = lines.findIndex((l) => l.startsWith(`| ${role.label} | seed |`));
    const [seedRow, ourRow] = [lines[line], lines[line + 1]];
    for (const c of plan.columns) {
      expect(seedRow, `${seed} ${role.key} seed ${c.key}`).toContain(
        `| ${formatNumber(role.seed[c.key], c.format)} |`,
      );
      if (c.key in summary && typeof summary[c.key] === 'number')
        expect(ourRow, `${seed} ${role.key} ours ${c.key}`).toContain(
          `| ${formatNumber(summary[c.key], c.format)} |`,
        );
    }
  }
  expect(report.match(/^\| .* \| (yes|no) \|$/gm)).toHaveLength(result.checks.length);
  for (const f of plan.figures) expect(report).toContain(`(figures/${f.file}.svg)`);

  return { out, args, runs };
}
