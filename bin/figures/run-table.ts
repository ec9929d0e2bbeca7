import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../format/errors';
import { runRow, tableColumns, type Column, type RunRow } from '../../figures/run-table';

/**
 * `smallscope table`: the run table of the seeds from run folders (DIR/NAME/model.onnx with its manifest, and
 * optionally summary.json and metrics.jsonl beside it). The rows are built by figures/run-table.ts,
 * which the runs view uses too; this file only finds the folders and reads their files.
 */
export { sortRows, type Column, type RunRow } from '../../figures/run-table';

const readIf = (file: string) => (existsSync(file) ? readFileSync(file) : null);

/** One run folder to its cells (task parameters under `task.KEY`). */
export function readRun(dir: string): RunRow {
  const text = (f: string) => readIf(path.join(dir, f))?.toString('utf8') ?? null;
  const model = readIf(path.join(dir, 'model.onnx'));
  return runRow(
    path.basename(dir),
    {
      model: model && new Uint8Array(model),
      summary: text('summary.json'),
      metrics: text('metrics.jsonl'),
    },
    dir,
  );
}

/** Run folders: RUNS_DIR itself if it holds model.onnx, and every sub-folder that does, by name. */
export function readRuns(dir: string): { columns: Column[]; rows: RunRow[] } {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`runs folder '${dir}' does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`'${dir}' is not a folder of runs`);
  const dirs = [
    dir,
    ...readdirSync(dir)
      .sort()
      .map((d) => path.join(dir, d)),
  ].filter((d) => existsSync(path.join(d, 'model.onnx')));
  if (dirs.length === 0) throw new UsageError(`no runs in '${dir}': no sub-folder holds a model.onnx`);
  const rows = dirs.map(readRun);
  return { columns: tableColumns(rows), rows };
}
