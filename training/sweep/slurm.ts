import { runDir, shellQuote, trainArgs, type SweepRun } from './grid';

/**
 * A Slurm array job for a sweep: `sbatch` it and task i trains run i of the grid (expandGrid's order, the
 * order --emit-commands prints). Each task does what `smallscope sweep` does for one run: a run whose
 * summary.json exists is skipped, one with a checkpoint or training state is resumed (--resume), so
 * resubmitting the same script after a time limit or a node failure finishes only what is left.
 *
 * The program is `$SMALLSCOPE` (default `smallscope`), left unquoted on purpose so that
 * `SMALLSCOPE="node /path/to/bin/smallscope.js"` works on a cluster without the package linked on PATH.
 * Partition, time and memory differ per cluster: the script leaves them to `sbatch` flags or added lines.
 */
export function slurmScript(runs: SweepRun[], outDir: string, gridFile: string): string {
  if (runs.length === 0) throw new Error('a sweep without runs has no array job');
  const cases = runs.map(
    (r, i) => `  ${i}) dir=${shellQuote(runDir(r, outDir))}\n     args=(${trainArgs(r, outDir)}) ;;`,
  );
  return [
    '#!/bin/bash',
    `#SBATCH --job-name=smallscope-sweep`,
    `#SBATCH --array=0-${runs.length - 1}`,
    '#SBATCH --ntasks=1',
    `# One task per run of ${gridFile} (${runs.length} runs), written by`,
    `#   smallscope sweep ${shellQuote(gridFile)} --out ${shellQuote(outDir)} --emit-slurm`,
    '# Submit from the folder the sweep was planned in (paths are relative to it): sbatch THIS_FILE.',
    '# Add #SBATCH --partition/--time/--mem lines for your cluster; resubmitting finishes what is left.',
    'set -euo pipefail',
    '',
    'SMALLSCOPE=${SMALLSCOPE:-smallscope}',
    'task=${SLURM_ARRAY_TASK_ID:?run this script with sbatch (SLURM_ARRAY_TASK_ID is not set)}',
    'case "$task" in',
    ...cases,
    `  *) echo "smallscope: no run $task in this sweep (0-${runs.length - 1})" >&2; exit 2 ;;`,
    'esac',
    '',
    '# As `smallscope sweep` does: a finished run is skipped, an interrupted one resumed.',
    'if [ -f "$dir/summary.json" ]; then',
    '  echo "smallscope: $dir is done already, skipped" >&2',
    '  exit 0',
    'fi',
    'if [ -f "$dir/train_state.bin" ] || [ -f "$dir/model.onnx" ]; then args+=(--resume); fi',
    '# shellcheck disable=SC2086 # $SMALLSCOPE may be a command with arguments',
    'exec $SMALLSCOPE "${args[@]}"',
    '',
  ].join('\n');
}
