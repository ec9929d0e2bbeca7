import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeModel } from '../../../format/onnx/model';
import { runRow, tableColumns, type Column, type RunFiles } from '../../../figures/run-table';
import { runPoint, type RunPoint, type RunSummary } from '$lib/runs';
import { checkpointDirs, listCheckpointFiles } from './checkpoints';

/**
 * Parse metrics.jsonl: one JSON object per line with `step` and any of loss / val_loss / val_acc / mask_error /
 * sample_error (the error rates as fractions, as `smallscope train` writes them).
 */
export function parseMetrics(text: string): RunPoint[] {
  const points: RunPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o.step === 'number') points.push(runPoint({ ...o, step: o.step }));
    } catch {
      // a half-written last line while training: skip it
    }
  }
  return points.sort((a, b) => a.step - b.step);
}

async function readIf(path: string): Promise<Buffer | null> {
  try {
    return (await stat(path)).isFile() ? await readFile(path) : null;
  } catch {
    return null;
  }
}

/**
 * One run: its table row (the CLI's, from the same files) and its curve points, from metrics.jsonl or else the
 * manifest's history. A file that cannot be read leaves the row empty with the reason, the curve still shown.
 */
function summarize(
  id: string,
  name: string,
  source: RunSummary['source'],
  path: string,
  files: RunFiles,
): RunSummary {
  let arch: string | null = null;
  let params: number | null = null;
  let history: RunPoint[] = [];
  let row: RunSummary['row'] = { run: name, cells: {} };
  let error: string | undefined;
  try {
    if (files.model) {
      const m = decodeModel(files.model).manifest;
      arch = m?.arch.kind ?? null;
      params = m?.params ?? null;
      history = m?.history ?? [];
    }
    row = runRow(name, files, path);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const points = files.metrics !== null ? parseMetrics(files.metrics) : history;
  return { id, name, source, path, arch, params, points, row, ...(error ? { error } : {}) };
}

/** A run folder: DIR/model.onnx or DIR/metrics.jsonl (with summary.json when there is one). */
async function readRunFolder(dir: string): Promise<RunSummary | null> {
  const [model, summary, metrics] = await Promise.all(
    ['model.onnx', 'summary.json', 'metrics.jsonl'].map((f) => readIf(join(dir, f))),
  );
  if (!model && !metrics) return null;
  return summarize(`run:${dir}`, basename(dir), metrics ? 'run folder (metrics.jsonl)' : 'run folder', dir, {
    model: model && new Uint8Array(model),
    summary: summary?.toString('utf8') ?? null,
    metrics: metrics?.toString('utf8') ?? null,
  });
}

/**
 * Every run the app can see, and the columns of their table: run folders (DIR and DIR/* for each served
 * folder, as `smallscope table DIR` finds them, plus folders with only a metrics.jsonl) and each listed
 * checkpoint with a smallscope manifest (its history and settings).
 */
export async function readRuns(): Promise<{ runs: RunSummary[]; columns: Column[] }> {
  const runs: RunSummary[] = [];
  for (const dir of checkpointDirs()) {
    let entries: string[] = [];
    try {
      entries = (await readdir(dir, { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      continue;
    }
    for (const sub of [dir, ...entries.sort().map((e) => join(dir, e))]) {
      const run = await readRunFolder(sub);
      if (run) runs.push(run);
    }
  }
  for (const file of await listCheckpointFiles()) {
    const bytes = await readIf(file.path);
    if (!bytes) continue;
    const run = summarize(`ckpt:${file.name}`, file.name, 'checkpoint manifest', file.name, {
      model: new Uint8Array(bytes),
      summary: null,
      metrics: null,
    });
    if (run.error === undefined && run.arch !== null) runs.push(run);
  }
  return { runs, columns: tableColumns(runs.map((r) => r.row)) };
}
