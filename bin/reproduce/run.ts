import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../format/errors';
import { markdown } from '../../figures/table-format';
import { rolesAt, type Comparison, type Numbers, type Plan, type Scale } from '../../reproduce/plan';
import { expandGrid, readGrid, type SweepRun } from '../../training/sweep/grid';
import { writeFileAtomic } from '../../training/export/atomic';
import { checkWritableDir } from '../figures/output';
import { readRuns } from '../figures/run-table';
import { isFinished, runSweep } from '../sweep/run';
import { drawFigures } from './figures';
import { probeNumbers, summaryNumbers } from './measure';
import { RoleModels } from './models';
import { reportMd, verdictOf, type Verdict } from './report';

/**
 * `smallscope reproduce SEED --out DIR`: the seed's grid of runs into DIR/runs (the sweep machinery: finished
 * runs skipped, interrupted ones resumed), then DIR/table.md (the `table` command's code), DIR/figures/*.svg
 * (the `figure` command's code), DIR/REPORT.md and DIR/reproduce.json. DIR remembers which seed, scale and
 * --steps it holds, so runs of different plans never mix in one folder.
 */

const GRIDS = fileURLToPath(new URL('../../docs/grids/', import.meta.url));
const STATE = 'reproduce.json';

export interface ReproduceOptions {
  plan: Plan;
  scale: Scale;
  out: string;
  steps: number | null;
  /** --finished: train nothing, report on the runs already finished (the headline runs must be). */
  finished?: boolean;
  log: (line: string) => void;
}

export interface ReproduceResult {
  seed: string;
  scale: Scale;
  steps: number | null;
  out: string;
  verdict: Verdict;
  checks: ReturnType<Plan['judge']>;
  headline: Comparison;
  runs: { name: string; role: string | null; numbers: Numbers }[];
  trained: string[];
  skipped: string[];
  /** Runs of the plan not finished (--finished): left out of the report. */
  not_run: string[];
  files: string[];
}

/** The plan's runs at a scale; --steps cuts every run short (and evaluates it at least twice). */
export function planRuns(plan: Plan, scale: Scale, steps: number | null): SweepRun[] {
  const runs = expandGrid(readGrid(path.join(GRIDS, plan.scales[scale].grid)));
  if (steps === null) return runs;
  return runs.map((r) => ({
    ...r,
    flags: {
      ...r.flags,
      steps,
      'eval-every': Math.max(1, Math.min(Number(r.flags['eval-every'] ?? steps), Math.ceil(steps / 2))),
    },
  }));
}

/** Refuse a folder that holds another plan's runs; record this one's. */
function claimFolder(o: ReproduceOptions): void {
  const file = path.join(o.out, STATE);
  const want = { seed: o.plan.id, scale: o.scale, steps: o.steps };
  if (existsSync(file)) {
    const had = JSON.parse(readFileSync(file, 'utf8')) as typeof want;
    const same = had.seed === want.seed && had.scale === want.scale && (had.steps ?? null) === want.steps;
    if (!same)
      throw new UsageError(
        `${o.out} holds a reproduction of ${had.seed} at ${had.scale} scale${had.steps ? ` with --steps ${had.steps}` : ''}: give another --out (runs of different plans must not mix)`,
      );
    return;
  }
  if (existsSync(o.out) && !statSync(o.out).isDirectory())
    throw new UsageError(`--out ${o.out} is a file, not a folder`);
  try {
    mkdirSync(o.out, { recursive: true }); // as sweep does: the folder and its parents
  } catch (e) {
    throw new UsageError(`cannot create --out ${o.out}: ${(e as NodeJS.ErrnoException).code}`);
  }
  checkWritableDir(o.out);
  writeFileAtomic(file, `${JSON.stringify(want, null, 2)}\n`);
}

/** The result, or null when a run failed (logged; the caller exits 1). */
export async function reproduce(o: ReproduceOptions, command: string): Promise<ReproduceResult | null> {
  const { plan, scale } = o;
  const runs = planRuns(plan, scale, o.steps);
  const roles = rolesAt(plan, scale, runs);
  const runsDir = path.join(o.out, 'runs');
  const notRun = o.finished ? runs.filter((r) => !isFinished(r, runsDir)).map((r) => r.name) : [];
  if (o.finished) {
    const missing = roles.filter(({ run }) => notRun.includes(run.name));
    if (missing.length)
      throw new UsageError(
        `--finished: the headline run${missing.length > 1 ? 's' : ''} ${missing.map(({ run, role }) => `${run.name} (${role.label})`).join(', ')} of ${plan.id} ${scale} ${missing.length > 1 ? 'have' : 'has'} not finished in ${runsDir}: run without --finished to train ${missing.length > 1 ? 'them' : 'it'}`,
      );
  }
  claimFolder(o);
  o.log(
    `reproduce ${plan.id} (${scale}${o.steps !== null ? `, --steps ${o.steps}` : ''}): ${runs.length} runs in ${runsDir}${o.finished ? `, ${runs.length - notRun.length} finished, training none` : ''}`,
  );
  const outcome = o.finished
    ? { trained: [], skipped: runs.map((r) => r.name).filter((n) => !notRun.includes(n)), failed: [] }
    : await runSweep(runs, runsDir, o.log);
  if (outcome.failed.length) {
    // As `sweep` does: each failure's last line is above; the finished runs stay for the next try.
    o.log(
      `${outcome.failed.length} of ${runs.length} runs failed (${outcome.failed.join(', ')}): no report; run the command again to resume them`,
    );
    return null;
  }

  const { columns, rows } = readRuns(runsDir);
  const runTable = markdown(columns, rows);
  const files: string[] = [];
  const put = (name: string, text: string) => {
    writeFileAtomic(path.join(o.out, name), text);
    files.push(name);
  };
  put('table.md', runTable);

  o.log('measuring the checkpoints and drawing the figures');
  const models = new RoleModels(runsDir, new Map(roles.map((r) => [r.role.key, r])));
  try {
    const numbers: Record<string, Numbers> = {};
    const notes: string[] = [];
    for (const { role, run } of roles) {
      const probes = plan.probes[role.key] ?? [];
      const probed = probes.length ? await probeNumbers(await models.session(role.key), probes) : null;
      numbers[role.key] = { ...summaryNumbers(path.join(runsDir, run.name)), ...probed?.numbers };
      notes.push(...(probed?.notes ?? []));
    }
    mkdirSync(path.join(o.out, 'figures'), { recursive: true });
    const figures = await drawFigures(plan.figures, { out: o.out, runsDir, runs, models });
    files.push(...figures.map((f) => f.file));

    const headline: Comparison = {
      title: 'Headline runs',
      columns: plan.columns,
      rows: roles.map(({ role }) => ({ label: role.label, seed: role.seed, ours: numbers[role.key] })),
    };
    const checks = plan.judge(numbers, scale);
    const roleOf = new Map(roles.map(({ role, run }) => [run.name, role.label]));
    const all = runs
      .filter((r) => !notRun.includes(r.name))
      .map((r) => ({
        name: r.name,
        role: roleOf.get(r.name) ?? null,
        numbers: summaryNumbers(path.join(runsDir, r.name)),
      }));
    put(
      'REPORT.md',
      reportMd({
        plan,
        scale,
        steps: o.steps,
        command,
        headline,
        tables: plan.tables?.(numbers) ?? [],
        checks,
        runTable,
        runs: all,
        notRun,
        notes,
        figures,
      }),
    );
    const result: ReproduceResult = {
      seed: plan.id,
      scale,
      steps: o.steps,
      out: o.out,
      verdict: verdictOf(checks),
      checks,
      headline,
      runs: all,
      trained: outcome.trained,
      skipped: outcome.skipped,
      not_run: notRun,
      files: [...files, STATE],
    };
    writeFileAtomic(
      path.join(o.out, STATE),
      `${JSON.stringify({ seed: plan.id, scale, steps: o.steps, result }, null, 2)}\n`,
    );
    o.log(
      `${result.verdict}: ${checks.filter((c) => c.holds).length}/${checks.length} checks hold; wrote ${path.join(o.out, 'REPORT.md')}`,
    );
    return result;
  } finally {
    await models.close();
  }
}
