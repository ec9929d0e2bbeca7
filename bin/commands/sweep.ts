import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../format/errors';
import { Command } from '../cli';
import { commandLine, expandGrid, flagArgs, readGrid, type SweepRun } from '../../training/sweep/grid';
import { slurmScript } from '../../training/sweep/slurm';

/**
 * `smallscope sweep GRID.json --out RUNS_DIR`: every configuration of a grid into its own run folder, one
 * `smallscope train` child process each (a crash or a bad configuration fails that run only). Finished runs
 * (summary.json present) are skipped, interrupted ones resumed, so re-running a sweep completes it. With
 * --emit-commands it only prints one train command per run, for an external scheduler (Slurm array, GNU
 * parallel); --emit-slurm prints a Slurm array job script, one task per run, that skips and resumes the same
 * way. `smallscope table RUNS_DIR` merges the folders either way.
 */
const CLI = fileURLToPath(new URL('../smallscope.js', import.meta.url));

function runOne(run: SweepRun, out: string): Promise<{ ok: boolean; tail: string }> {
  const dir = path.join(out, run.name);
  const resume = existsSync(path.join(dir, 'train_state.bin')) || existsSync(path.join(dir, 'model.onnx'));
  const args = [CLI, 'train', ...flagArgs(run.flags), '--out', dir, ...(resume ? ['--resume'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      const lines = err.split(/[\r\n]+/).filter((l) => l.trim());
      resolve({ ok: code === 0, tail: lines[lines.length - 1] ?? `exit ${code}` });
    });
  });
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description('train every configuration of a grid file into its own run folder (or print the commands)')
    .argument('<grid>', 'grid JSON: {"base": {flags}, "grid": {flag: [values]}, "runs": [{flags}]}')
    .requiredOption('--out <dir>', 'folder that receives one run folder per configuration')
    .option('--emit-commands', 'print one `smallscope train` line per run instead of running them', false)
    .option(
      '--emit-slurm',
      'print a Slurm array job script (task i trains run i; finished runs skipped, interrupted ones resumed)',
      false,
    )
    .addHelpText(
      'after',
      `
Grid values cross; an object value sets several flags together, e.g.
  "conv": [{"kernel": 7}, {"kernel": 13, "dilation": "5,7,1"}]
Run folders are named by the flags that vary (area40_kernel13_dilation5-7-1_attn0-0-T). Finished runs
(summary.json present) are skipped; interrupted ones resume. Grids of the seed tables: docs/grids/.
--emit-slurm: smallscope sweep GRID --out DIR --emit-slurm > sweep.sbatch && sbatch sweep.sbatch
(set SMALLSCOPE="node /path/to/bin/smallscope.js" where smallscope is not on the nodes' PATH).`,
    )
    .action(async (file: string, o: { out: string; emitCommands: boolean; emitSlurm: boolean }) => {
      const runs = expandGrid(readGrid(file));
      if (o.emitSlurm && o.emitCommands) throw new UsageError('--emit-commands and --emit-slurm: choose one');
      if (o.emitSlurm) {
        process.stdout.write(slurmScript(runs, o.out, file));
        return;
      }
      if (o.emitCommands) {
        for (const r of runs) process.stdout.write(commandLine(r, o.out) + '\n');
        return;
      }
      mkdirSync(o.out, { recursive: true });
      const failed: string[] = [];
      for (const [i, run] of runs.entries()) {
        const tag = `[${i + 1}/${runs.length}] ${run.name}`;
        if (existsSync(path.join(o.out, run.name, 'summary.json'))) {
          process.stderr.write(`${tag}: done already, skipped\n`);
          continue;
        }
        process.stderr.write(`${tag}: training\n`);
        const t0 = Date.now();
        const r = await runOne(run, o.out);
        const s = ((Date.now() - t0) / 1000).toFixed(1);
        if (!r.ok) failed.push(run.name);
        process.stderr.write(`${tag}: ${r.ok ? 'done' : 'FAILED'} in ${s}s: ${r.tail}\n`);
      }
      process.stderr.write(
        `${runs.length - failed.length}/${runs.length} runs complete in ${o.out}${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`,
      );
      if (failed.length) process.exitCode = 1;
    });
}
