import { readFileSync } from 'node:fs';
import { UsageError } from '../../format/errors';

/**
 * A sweep grid: base flags plus lists of values to cross, as in the seeds' experiment files. A value may be
 * an object of flags that go together (the seed tables pair kernel 7 with dilation 1 and kernel 13 with
 * 5,7,1), and `runs` lists explicit configurations when a table is not a full cross product:
 *
 *   { "base": { "task": "selcopy", "arch": "conv-stack", "layers": 3, "steps": 20000 },
 *     "grid": { "area": [40, 80], "conv": [{ "kernel": 7 }, { "kernel": 13, "dilation": "5,7,1" }],
 *               "attn": ["0,0,0", "0,0,T"] } }
 *
 * Keys are `smallscope train` flags without the dashes (kebab-case); true means a bare flag, false omits it.
 */
export type FlagValue = string | number | boolean;
export type Flags = Record<string, FlagValue>;

export interface GridFile {
  base?: Flags;
  grid?: Record<string, (FlagValue | Flags)[]>;
  runs?: Flags[];
}

export interface SweepRun {
  name: string;
  flags: Flags;
}

const isFlags = (v: unknown): v is Flags => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readGrid(file: string): GridFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(`${file}: ${missing ? 'no such file' : 'not valid JSON'}`);
  }
  if (!isFlags(raw))
    throw new UsageError(`${file}: a grid file is a JSON object with base, grid and/or runs`);
  const g = raw as GridFile;
  for (const [k, vs] of Object.entries(g.grid ?? {}))
    if (!Array.isArray(vs) || vs.length === 0)
      throw new UsageError(`${file}: grid.${k} must be a non-empty list of values`);
  if (g.runs !== undefined && !Array.isArray(g.runs)) throw new UsageError(`${file}: runs must be a list`);
  if ('out' in (g.base ?? {})) throw new UsageError(`${file}: base must not set out (each run gets its own)`);
  return g;
}

/**
 * A run folder name from the flags that vary across the sweep, e.g. `area40_kernel13_dilation5-7-1_attn0-0-T`;
 * a bare flag set to false reads `no-KEY` (`self-attn` against `no-self-attn`, not against nothing).
 */
function nameOf(flags: Flags, varying: string[]): string {
  const word = (k: string) =>
    flags[k] === true ? k : flags[k] === false ? `no-${k}` : `${k}${String(flags[k]).replace(/,/g, '-')}`;
  const parts = varying.filter((k) => flags[k] !== undefined).map(word);
  return (parts.join('_') || 'run').replace(/[^A-Za-z0-9._-]/g, '');
}

/** Every configuration of the grid, each with a unique folder name. */
export function expandGrid(g: GridFile): SweepRun[] {
  // A plain value sets its own key; an object value sets all of its keys together.
  const cross = (acc: Flags[], [key, values]: [string, (FlagValue | Flags)[]]) =>
    acc.flatMap((c) => values.map((v) => ({ ...c, ...(isFlags(v) ? v : { [key]: v }) })));
  const configs = Object.entries(g.grid ?? {}).reduce(
    cross,
    (g.runs ?? [{}]).map((r) => ({ ...(g.base ?? {}), ...r })),
  );
  // Name order: base, runs, then the grid in its own order (an object value's keys stay together).
  const keys = [
    ...new Set([
      ...Object.keys(g.base ?? {}),
      ...(g.runs ?? []).flatMap((r) => Object.keys(r)),
      ...Object.entries(g.grid ?? {}).flatMap(([k, vs]) =>
        vs.flatMap((v) => (isFlags(v) ? Object.keys(v) : [k])),
      ),
    ]),
  ];
  const varying = keys.filter((k) => new Set(configs.map((c) => JSON.stringify(c[k]))).size > 1);
  const seen = new Map<string, number>();
  return configs.map((flags) => {
    let name = nameOf(flags, varying);
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n > 0) name = `${name}_${n + 1}`;
    return { name, flags };
  });
}

/** The flags as command-line arguments (`--key value`, bare `--key` for true). */
export function flagArgs(flags: Flags): string[] {
  return Object.entries(flags).flatMap(([k, v]) =>
    v === false ? [] : v === true ? [`--${k}`] : [`--${k}`, String(v)],
  );
}

/** A word for a POSIX shell: left bare when it is safe, else single-quoted. */
export const shellQuote = (s: string) =>
  /^[A-Za-z0-9_./,:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

/** The run folder of `run` inside the sweep's `outDir`. */
export const runDir = (run: SweepRun, outDir: string) => `${outDir.replace(/\/$/, '')}/${run.name}`;

/** The `train` arguments of one run, shell-quoted and joined (without the program name). */
export function trainArgs(run: SweepRun, outDir: string): string {
  return ['train', ...flagArgs(run.flags), '--out', runDir(run, outDir)].map(shellQuote).join(' ');
}

/** One shell-quoted `smallscope train` line (for an external scheduler). */
export function commandLine(run: SweepRun, outDir: string): string {
  return `smallscope ${trainArgs(run, outDir)}`;
}
