import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planRuns } from '../../../bin/reproduce/run';
import { PLANS, formatNumber, rolesAt, type SeedId } from '../../../reproduce/index';

/**
 * `smallscope reproduce SEED --scale quick` end to end for every seed, as CI runs it: the quick plan's runs cut
 * to 2 steps (`--steps`, so that five seeds fit in the suite), then the files it writes; for seed 000 also that
 * running it again trains nothing and that a run interrupted after its checkpoint is resumed. The numbers of a 2-step run say nothing about the claims; what is tested is that each file
 * holds what the plan says, the seed's numbers and ours.
 */
const cli = path.resolve('bin/smallscope.js');
// VITEST set would tell the CLI that vitest compiles the figure components for it (figures/compile/svelte-loader.ts).
const run = (args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, VITEST: '' } });
const STEPS = 2;

function check(seed: SeedId) {
  const plan = PLANS[seed];
  const runs = planRuns(plan, 'quick', STEPS);
  const roles = rolesAt(plan, 'quick', runs);
  const out = path.join(mkdtempSync(path.join(tmpdir(), `reproduce-${seed}-`)), 'out');
  const args = ['reproduce', seed, '--scale', 'quick', '--steps', String(STEPS), '--out', out];

  const first = run([...args, '--json']);
  expect(first.stderr).toMatch(new RegExp(`${runs.length}/${runs.length}\\]`));
  expect(first.status, first.stderr).toBe(0);
  const result = JSON.parse(first.stdout);
  expect(result).toMatchObject({ seed, scale: 'quick', steps: STEPS, trained: runs.map((r) => r.name) });
  expect(['reproduced', 'partly', 'not reproduced']).toContain(result.verdict);

  // The run table: one row per run of the plan.
  const table = readFileSync(path.join(out, 'table.md'), 'utf8').trim().split('\n');
  expect(table).toHaveLength(2 + runs.length);
  expect(readdirSync(path.join(out, 'runs')).sort()).toEqual(runs.map((r) => r.name).sort());

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
  expect(report).toMatch(/Smoke test, not a reproduction/);
  const start = report.indexOf('### Headline runs');
  const headline = report.slice(start, report.indexOf('\n#', start + 1));
  expect(headline.match(/^\| [^|]+ \| seed \|/gm)).toHaveLength(roles.length);
  expect(headline.match(/^\| {2}\| ours \|/gm)).toHaveLength(roles.length);
  for (const { role, run: r } of roles) {
    const summary = JSON.parse(readFileSync(path.join(out, 'runs', r.name, 'summary.json'), 'utf8'));
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

describe('smallscope reproduce SEED --scale quick (cut to 2 steps)', () => {
  it('seed000: four selective-copying runs, error curves, receptive fields, the attention map; it resumes', () => {
    const { out, args, runs } = check('seed000');
    // Run again: every run is finished, so nothing trains, and the report is written again.
    const again = run(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr.match(/done already, skipped/g)).toHaveLength(runs.length);
    expect(again.stderr).not.toMatch(/: training$/m);
    // A run interrupted after its last checkpoint (no summary.json) is resumed, and only that one.
    rmSync(path.join(out, 'runs', runs[1].name, 'summary.json'));
    const third = run(args);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stderr.match(/^\[\d+\/\d+\] \S+: training$/gm)).toEqual([
      `[2/${runs.length}] ${runs[1].name}: training`,
    ]);
    expect(third.stderr.match(/done already, skipped/g)).toHaveLength(runs.length - 1);
    expect(existsSync(path.join(out, 'runs', runs[1].name, 'summary.json'))).toBe(true);
    // A folder holds one plan: another scale or seed is refused before anything trains.
    const other = run(['reproduce', 'seed000', '--scale', 'full', '--out', out]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/holds a reproduction of seed000 at quick scale with --steps 2/);
  }, 300_000);
  it('an --out that is a file is one line and exit code 2, before anything trains', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'reproduce-')), 'a-file');
    writeFileSync(file, 'x');
    const r = run(['reproduce', 'seed003', '--out', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`smallscope: --out ${file} is a file, not a folder\n`);
  });
  it('seed001: the curriculum pair', () => void check('seed001'), 300_000);
  it(
    'seed002: Conv-Attn and Attn-Attn on the Brown corpus, induction and the conv taps',
    () => void check('seed002'),
    300_000,
  );
  it('seed003: the shapes pair', () => void check('seed003'), 300_000);
  it('seed004: counting with and without output self-attention', () => void check('seed004'), 300_000);
});
