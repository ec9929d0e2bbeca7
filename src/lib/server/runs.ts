import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeModel } from '$probes/onnx/model';
import type { RunPoint, RunSummary } from '$lib/runs';
import { checkpointDirs } from './checkpoints';
import { readLibrary } from './library';

/** Parse metrics.jsonl: one JSON object per line with `step` and any of loss / val_loss / val_acc. */
export function parseMetrics(text: string): RunPoint[] {
  const points: RunPoint[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (typeof o.step !== 'number') continue;
      const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
      points.push({ step: o.step, loss: num('loss'), val_loss: num('val_loss'), val_acc: num('val_acc') });
    } catch {
      // a half-written last line while training: skip it
    }
  }
  return points.sort((a, b) => a.step - b.step);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** A run folder: its metrics, and arch / params from its model.onnx manifest when there is one. */
async function readRunFolder(dir: string): Promise<RunSummary | null> {
  const metrics = join(dir, 'metrics.jsonl');
  if (!(await isFile(metrics))) return null;
  let arch: string | null = null;
  let params: number | null = null;
  const model = join(dir, 'model.onnx');
  if (await isFile(model)) {
    try {
      const m = decodeModel(new Uint8Array(await readFile(model))).manifest;
      arch = m?.arch.kind ?? null;
      params = m?.params ?? null;
    } catch {
      // unreadable checkpoint: the curve is still shown
    }
  }
  const name = basename(dir);
  return {
    id: `run:${dir}`,
    name,
    source: 'run folder (metrics.jsonl)',
    path: dir,
    arch,
    params,
    points: parseMetrics(await readFile(metrics, 'utf8')),
  };
}

/**
 * Every run the app can see: run folders (DIR/metrics.jsonl and DIR/*\/metrics.jsonl for each served folder)
 * and the history in each listed checkpoint's manifest.
 */
export async function readRuns(): Promise<RunSummary[]> {
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
  for (const c of (await readLibrary()).checkpoints) {
    if (!c.manifest || c.history.length === 0) continue;
    runs.push({
      id: `ckpt:${c.name}`,
      name: c.name,
      source: 'checkpoint manifest',
      path: c.name,
      arch: c.manifest.arch,
      params: c.params,
      points: c.history,
    });
  }
  return runs;
}
