import { UsageError } from '../../format/errors';
import type { CausalModel } from './causal-model';
import type { CleanRun } from './clean-run';
import type { SiteLayout } from './gate-inputs';

/** Which heads a causal probe edits, and how many input copies one run may hold. */

export interface HeadRef {
  layer: number;
  head: number;
}

export interface HeadTarget extends HeadRef {
  /** Index of the head's gate in the model's gates. */
  gate: number;
}

/** Parse `all` or `L.H,L.H,...` (layer.head, 0-based), as `--heads` takes it. */
export function parseHeads(spec: string): HeadRef[] | undefined {
  if (spec.trim() === 'all') return undefined;
  return spec.split(',').map((part) => {
    const m = /^\s*(\d+)\.(\d+)\s*$/.exec(part);
    if (!m) throw new UsageError(`--heads takes all or layer.head pairs like 0.1,1.3; got '${part.trim()}'`);
    return { layer: Number(m[1]), head: Number(m[2]) };
  });
}

/** Every editable head in layer order, or the ones asked for (each checked against what the model has). */
export function headList(
  model: CausalModel,
  layouts: readonly (SiteLayout | null)[],
  refs?: readonly HeadRef[],
): HeadTarget[] {
  const all: HeadTarget[] = [];
  model.gates.forEach((g, gate) => {
    const layout = layouts[gate];
    if (layout) for (let head = 0; head < layout.heads; head++) all.push({ gate, layer: g.site.layer, head });
  });
  if (all.length === 0) throw new UsageError('no attention head can be edited for this input');
  if (!refs) return all;
  return refs.map((r) => {
    const t = all.find((h) => h.layer === r.layer && h.head === r.head);
    if (!t) {
      const have = [...new Set(all.map((h) => h.layer))]
        .map((l) => `layer ${l}: heads 0-${all.filter((h) => h.layer === l).length - 1}`)
        .join(', ');
      throw new UsageError(`there is no head ${r.layer}.${r.head} to edit (${have})`);
    }
    return t;
  });
}

/** Bytes one run may use, roughly: above it the copies are split over several runs. */
const RUN_BUDGET = 2 ** 28;

/**
 * Input copies per run: `maxRows` rows when given, else as many as fit the budget, estimated from what a row
 * holds (its logits, and per head the pattern, z and the gate's copies of it), times 4 for the rest.
 */
export function copiesPerRun(clean: CleanRun, maxRows?: number): number {
  const B = clean.tokens.length;
  if (maxRows !== undefined) return Math.max(1, Math.floor(maxRows / B));
  const T = clean.tokens[0].length;
  const V = clean.last.dims[2];
  let floats = 2 * T * V; // the logits and their log-softmax
  for (const l of clean.layouts) if (l) floats += l.heads * (T * T + 3 * l.pos * l.width);
  return Math.max(1, Math.floor(RUN_BUDGET / (4 * 4 * floats * B)));
}

/** Call `run(from, to)` over [0, count) in chunks of the copies that fit one run. */
export async function forEachChunk(
  count: number,
  clean: CleanRun,
  maxRows: number | undefined,
  run: (from: number, to: number) => Promise<void>,
): Promise<{ runs: number; copies: number }> {
  const copies = copiesPerRun(clean, maxRows);
  let runs = 0;
  for (let from = 0; from < count; from += copies) {
    await run(from, Math.min(count, from + copies));
    runs++;
  }
  return { runs, copies: Math.min(copies, count) };
}
