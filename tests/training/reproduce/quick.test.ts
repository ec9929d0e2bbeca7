import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SeedId } from '../../../reproduce/index';
import { checkReproduce, run } from './check';

/**
 * The reproduce pipeline with every run cut to 2 steps (`--steps`), on seed 000: the files it writes (check.ts),
 * that running it again trains nothing, that a run interrupted after its checkpoint is resumed, and that a folder
 * holds one plan. A 2-step run's numbers say nothing about the claim, and REPORT.md says so. Every seed's quick
 * plan as written: quick-scale.test.ts.
 */
const STEPS = 2;
const check = (seed: SeedId) => checkReproduce(seed, STEPS);

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
    // --finished trains nothing and reports on the finished runs; a headline run not finished is refused.
    const done = run([...args, '--finished', '--json']);
    expect(done.status, done.stderr).toBe(0);
    expect(JSON.parse(done.stdout)).toMatchObject({ trained: [], not_run: [] });
    expect(done.stderr).not.toMatch(/: training$/m);
    rmSync(path.join(out, 'runs', runs[0].name, 'summary.json'));
    const refused = run([...args, '--finished']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^smallscope: --finished: the headline run ${runs[0].name} \\(.*\\) of seed000 quick has not finished`,
      ),
    );
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
});
