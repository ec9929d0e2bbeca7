import { UsageError } from '../format/errors';
import { MANIFEST_KEY } from '../format/manifest';
import { decodeModel } from '../format/onnx/model';

/**
 * The run table of the seeds (`smallscope table`, and the runs view's table): one row per run from what its
 * folder holds (model.onnx with its manifest, and optionally summary.json and metrics.jsonl beside it), or
 * from a checkpoint's manifest alone. Columns: the task's parameters, then l, ch, ks, dil, attn, validation
 * loss, mask error %, sample error %, model params, train time (minutes), throughput, as seed 000's table
 * has them (seed 001's adds its task's nitem / len / nops the same way). Anything a run does not record is
 * empty. Plain TypeScript over file contents: the CLI reads the files with node:fs, the server with
 * fs/promises, and both build the rows here, so the page's table and its exports are the CLI's.
 */

export type Cell = number | string | null;
export interface Column {
  key: string;
  header: string;
  align: 'left' | 'right';
}
export interface RunRow {
  run: string;
  cells: Record<string, Cell>;
}

const FIXED: Column[] = [
  { key: 'l', header: 'l', align: 'right' },
  { key: 'ch', header: 'ch', align: 'right' },
  { key: 'ks', header: 'ks', align: 'right' },
  { key: 'dil', header: 'dil', align: 'left' },
  { key: 'attn', header: 'attn', align: 'left' },
  { key: 'val_loss', header: 'validation loss', align: 'right' },
  { key: 'mask_error', header: 'validation mask error %', align: 'right' },
  { key: 'sample_error', header: 'validation sample error %', align: 'right' },
  { key: 'params', header: 'model params', align: 'right' },
  { key: 'minutes', header: 'train time (minutes)', align: 'right' },
  { key: 'throughput', header: 'throughput', align: 'right' },
];

type Json = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const first = (...vs: unknown[]): number | null => vs.map(num).find((v) => v !== null) ?? null;

/** What a run folder holds, as file contents (null: the file is not there). */
export interface RunFiles {
  model: Uint8Array | null;
  /** summary.json */
  summary: string | null;
  /** metrics.jsonl */
  metrics: string | null;
}

function parseSummary(text: string | null, where: string): Json {
  if (text === null) return {};
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new UsageError(`${where} is not valid JSON`);
  }
}

/** metrics.jsonl lines; a half-written last line (training still running) is skipped. */
function parseMetricLines(text: string | null): Json[] {
  if (text === null) return [];
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as Json];
      } catch {
        return [];
      }
    });
}

/** The manifest as raw JSON (every key the writer put there, not only those the schema knows). */
function manifestJson(bytes: Uint8Array | null): Json {
  if (bytes === null) return {};
  const model = decodeModel(bytes);
  const entry = (model.proto.metadataProps ?? []).find((p) => p.key === MANIFEST_KEY);
  if (!entry) return {};
  try {
    return JSON.parse(entry.value ?? '{}') as Json;
  } catch {
    return {};
  }
}

/** A list value as the seeds print it; empty when it is the default (all 1 dilations, no attention). */
function list(v: unknown, blankIf: (x: unknown) => boolean): string {
  if (!Array.isArray(v)) return typeof v === 'string' ? v : '';
  if (v.every(blankIf)) return '';
  return v.map((x) => (x === true ? 'T' : x === false ? '0' : String(x))).join(',');
}

/** One run's cells (task parameters under `task.KEY`). `where` names the folder in errors. */
export function runRow(run: string, files: RunFiles, where = run): RunRow {
  const m = manifestJson(files.model);
  const summary = parseSummary(files.summary, `${where}/summary.json`);
  const metrics = parseMetricLines(files.metrics);
  const history = metrics.length ? metrics : Array.isArray(m.history) ? (m.history as Json[]) : [];
  const arch = (m.arch ?? {}) as Json;
  const training = (m.training ?? {}) as Json;
  const task = (m.task ?? {}) as Json;
  const last = (k: string) =>
    [...history]
      .reverse()
      .map((h) => num(h[k]))
      .find((v) => v !== null) ?? null;
  const cells: Record<string, Cell> = {};
  for (const [k, v] of Object.entries(task)) {
    if (k === 'name') continue;
    if (typeof v === 'number' || typeof v === 'string') cells[`task.${k}`] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number')) cells[`task.${k}`] = v.join(',');
  }
  const kind = arch.kind;
  const convs = kind === 'conv-attn' ? 1 : kind === 'attn-attn' ? 2 : null;
  cells.l = first(
    arch.layers,
    arch.n_layers,
    Array.isArray(arch.dilation) ? arch.dilation.length : null,
    convs,
  );
  cells.ch = first(arch.channels, arch.d_model);
  cells.ks = first(arch.kernel, arch.kernel_size);
  cells.dil = list(arch.dilation ?? arch.dilations, (x) => x === 1);
  cells.attn =
    arch.attn !== undefined
      ? list(arch.attn, (x) => x === 0 || x === false || x === '0')
      : arch.self_attn === true
        ? 'self-attn' // seed 003's attention net, seed 004's output self-attention
        : kind === 'conv-attn'
          ? 'T'
          : kind === 'attn-attn'
            ? 'T,T'
            : '';
  cells.val_loss = first(summary.val_loss, last('val_loss'));
  const pct = (p: unknown, frac: unknown) => first(p, num(frac) === null ? null : (frac as number) * 100);
  cells.mask_error = pct(summary.mask_error_pct, summary.mask_error ?? last('mask_error'));
  cells.sample_error = pct(summary.sample_error_pct, summary.sample_error ?? last('sample_error'));
  cells.params = first(m.params, summary.params);
  const sps = first(summary.samples_per_s, last('samples_per_s'));
  const seconds = first(summary.wall_s, summary.train_time_s, last('elapsed_s'));
  const steps = first(summary.steps, m.step);
  const batch = first(summary.batch, training.batch);
  cells.minutes =
    seconds !== null
      ? seconds / 60
      : sps && steps !== null && batch !== null
        ? (steps * batch) / sps / 60
        : null;
  cells.throughput = sps;
  return { run, cells };
}

/** The table's columns for these rows: every task parameter any run records, then the seed's columns. */
export function tableColumns(rows: RunRow[]): Column[] {
  const taskKeys = [
    ...new Set(rows.flatMap((r) => Object.keys(r.cells).filter((k) => k.startsWith('task.')))),
  ];
  const taskCols = taskKeys.map((key): Column => ({
    key,
    header: key.slice(5),
    align: rows.every((r) => r.cells[key] === undefined || typeof r.cells[key] === 'number')
      ? 'right'
      : 'left',
  }));
  return [...taskCols, ...FIXED];
}

/** Sort by a column key or header, `KEY` or `KEY:asc|desc` (the CLI's --sort); empty cells last. */
export function sortRows(columns: Column[], rows: RunRow[], spec: string): RunRow[] {
  const [name, dir] = spec.split(':');
  const col = columns.find((c) => c.key === name || c.header.toLowerCase() === name.toLowerCase());
  if (!col)
    throw new UsageError(`--sort: no column '${name}'; columns: ${columns.map((c) => c.key).join(', ')}`);
  if (dir !== undefined && dir !== 'asc' && dir !== 'desc')
    throw new UsageError(`--sort ${spec}: the order after ':' must be asc or desc`);
  const sign = dir === 'desc' ? -1 : 1;
  const val = (r: RunRow) => r.cells[col.key] ?? null;
  return [...rows].sort((a, b) => {
    const x = val(a);
    const y = val(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1; // empty cells last
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}
