import { UsageError } from '../../format/errors';
import { Command } from '../cli';
import { commandLine, expandGrid, readGrid } from '../../training/sweep/grid';
import { slurmScript } from '../../training/sweep/slurm';
import { runSweep } from '../sweep/run';

/**
 * `smallscope sweep GRID.json --out RUNS_DIR`: every configuration of a grid into its own run folder, one
 * `smallscope train` child process each (bin/sweep/run.ts). Finished runs (summary.json present) are skipped,
 * interrupted ones resumed, so re-running a sweep completes it. With
 * --emit-commands it only prints one train command per run, for an external scheduler (Slurm array, GNU
 * parallel); --emit-slurm prints a Slurm array job script, one task per run, that skips and resumes the same
 * way. `smallscope table RUNS_DIR` merges the folders either way.
 */
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
      const { failed } = await runSweep(runs, o.out);
      process.stderr.write(
        `${runs.length - failed.length}/${runs.length} runs complete in ${o.out}${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`,
      );
      if (failed.length) process.exitCode = 1;
    });
}
