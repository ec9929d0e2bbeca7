import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandGrid, flagArgs, readGrid, shellQuote, type GridFile } from '../../../training/sweep/grid';

const cli = path.resolve('bin/smallscope.js');
const smallscope = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

// A grid whose values need quoting (a space, a quote) and an out folder with a space, so that the script's
// words are checked, not only its shape.
const GRID: GridFile = {
  base: { task: 'text', arch: 'conv-attn', steps: 2, corpus: "my corpus's text.txt" },
  grid: { 'd-model': [16, 32, 64], conv: [{ heads: 1 }, { heads: 2, residual: true }] },
};

/** The script, a stub `smallscope` that prints its arguments one per line, and a runner for task i. */
function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), 'slurm-'));
  const grid = path.join(dir, 'grid.json');
  writeFileSync(grid, JSON.stringify(GRID));
  const out = path.join(dir, 'sweep runs');
  const r = smallscope(['sweep', grid, '--out', out, '--emit-slurm']);
  const script = path.join(dir, 'sweep.sbatch');
  writeFileSync(script, r.stdout);
  const stub = path.join(dir, 'stub.sh');
  writeFileSync(stub, '#!/bin/bash\nprintf "%s\\n" "$@"\n');
  chmodSync(stub, 0o755);
  const task = (i: number | string) =>
    spawnSync('bash', [script], {
      encoding: 'utf8',
      env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i), SMALLSCOPE: stub },
    });
  return { r, grid, out, script, task };
}

describe('sweep --emit-slurm: a Slurm array job, one task per run of the grid', () => {
  it('is valid bash whose #SBATCH --array range is 0..rows-1', () => {
    const { r, grid, script } = setup();
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('#!/bin/bash\n')).toBe(true);
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const rows = expandGrid(readGrid(grid)).length;
    expect(rows).toBe(6); // 3 widths x 2 head settings
    expect(r.stdout.match(/^#SBATCH --array=.*$/gm)).toEqual([`#SBATCH --array=0-${rows - 1}`]);
  });

  it('task i runs exactly row i: the arguments of the emit-commands line i, quoted values intact', () => {
    const { grid, out, task } = setup();
    const runs = expandGrid(readGrid(grid));
    const lines = smallscope(['sweep', grid, '--out', out, '--emit-commands']).stdout.trim().split('\n');
    expect(lines).toHaveLength(runs.length);
    for (const [i, run] of runs.entries()) {
      const t = task(i);
      expect(t.status).toBe(0);
      const args = t.stdout.replace(/\n$/, '').split('\n');
      expect(args).toEqual(['train', ...flagArgs(run.flags), '--out', `${out}/${run.name}`]);
      expect(args).toContain("my corpus's text.txt");
      expect(`smallscope ${args.map(shellQuote).join(' ')}`).toBe(lines[i]);
    }
  });

  it('skips a finished run, resumes an interrupted one, refuses a task id outside the array', () => {
    const { grid, out, task } = setup();
    const runs = expandGrid(readGrid(grid));
    mkdirSync(path.join(out, runs[1].name), { recursive: true });
    writeFileSync(path.join(out, runs[1].name, 'summary.json'), '{}');
    const done = task(1);
    expect(done.status).toBe(0);
    expect(done.stdout).toBe(''); // smallscope never started
    expect(done.stderr).toMatch(/done already, skipped/);

    mkdirSync(path.join(out, runs[2].name), { recursive: true });
    writeFileSync(path.join(out, runs[2].name, 'train_state.bin'), '');
    const resumed = task(2).stdout.trim().split('\n');
    expect(resumed[resumed.length - 1]).toBe('--resume');
    expect(task(0).stdout).not.toMatch(/--resume/);

    const outside = task(runs.length);
    expect(outside.status).toBe(2);
    expect(outside.stdout).toBe('');
  });

  it('refuses --emit-slurm together with --emit-commands (exit 2)', () => {
    const { grid, out } = setup();
    const r = smallscope(['sweep', grid, '--out', out, '--emit-slurm', '--emit-commands']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/choose one/);
  });
});
