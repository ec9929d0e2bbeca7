import type { RunRow } from '../../figures/run-table';

/** A training run as the runs view shows it: its curve points and what it is. Shared by server and page. */
export interface RunPoint {
  step: number;
  loss?: number;
  val_loss?: number;
  val_acc?: number;
  /** Masked tasks (selcopy, vselcopy): the fraction of wrong answer characters, and of answers with any. */
  mask_error?: number;
  sample_error?: number;
}

export interface RunSummary {
  /** Unique id: `run:FOLDER` for a run folder, `ckpt:NAME` for a checkpoint's manifest history. */
  id: string;
  name: string;
  source: 'run folder (metrics.jsonl)' | 'run folder' | 'checkpoint manifest';
  /** Where it was read from (a folder or file path). */
  path: string;
  arch: string | null;
  params: number | null;
  points: RunPoint[];
  /** Its row of the seed-format run table (figures/run-table.ts, as `smallscope table`). */
  row: RunRow;
  /** Why the row is empty: a summary.json or model.onnx that could not be read. */
  error?: string;
}

/** The curves a run can have; `unit` says what the values are (for captions). */
export const METRICS = [
  { key: 'loss', label: 'training loss', unit: 'cross-entropy in nats per byte' },
  { key: 'val_loss', label: 'validation loss', unit: 'cross-entropy in nats per byte' },
  { key: 'val_acc', label: 'validation accuracy', unit: 'fraction of next bytes predicted' },
  { key: 'mask_error', label: 'mask error rate', unit: 'fraction of masked answer characters wrong' },
  { key: 'sample_error', label: 'sample error rate', unit: 'fraction of answers with any character wrong' },
] as const;
export type MetricKey = (typeof METRICS)[number]['key'];

/**
 * A curve point from a metrics.jsonl line or a manifest history entry: its step and each metric that is a number
 * there (the other fields, such as lr or samples_per_s, are not curves).
 */
export function runPoint(o: { step: number } & Record<string, unknown>): RunPoint {
  const point: RunPoint = { step: o.step };
  for (const { key } of METRICS) point[key] = typeof o[key] === 'number' ? o[key] : undefined;
  return point;
}

/** The metrics some run has values of (the others would draw an empty chart); all of them when none has any. */
export function metricsPresent(runs: { points: RunPoint[] }[]): (typeof METRICS)[number][] {
  const present = METRICS.filter((m) => runs.some((r) => r.points.some((p) => typeof p[m.key] === 'number')));
  return present.length > 0 ? present : [...METRICS];
}

/** The last point that has the metric, and the best value of it (lowest loss, highest accuracy). */
export function finalAndBest(
  points: RunPoint[],
  key: MetricKey,
): { final: number | null; best: number | null } {
  const vals = points.map((p) => p[key]).filter((v): v is number => typeof v === 'number');
  if (vals.length === 0) return { final: null, best: null };
  return { final: vals[vals.length - 1], best: key === 'val_acc' ? Math.max(...vals) : Math.min(...vals) };
}
