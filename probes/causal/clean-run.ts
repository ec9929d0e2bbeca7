import { UsageError } from '../../format/errors';
import type { Runner } from '../runner';
import type { Tensor } from '../tensor';
import type { CausalModel } from './causal-model';
import { identityInputs, type SiteLayout } from './gate-inputs';

/**
 * One unedited run of a gated model: the logits, every gate's raw tensor (z, or the pattern where z could not
 * be separated) and how its heads are laid out for this batch. Ablation, patching and DLA all start here.
 */
export interface CleanRun {
  tokens: number[][];
  /** [batch, pos - 1, 1]: the logit of the next token at each position (readout-surgery.ts). */
  nextLogit: Tensor;
  /** [batch, pos - 1, 1]: its log-probability. */
  nextLogprob: Tensor;
  /** [batch, 1, vocab]: the logits at the last position. */
  last: Tensor;
  /** Per gate: X before the edit, [batch * head blocks of pos x width] (null where it cannot be split). */
  raw: (Tensor | null)[];
  layouts: (SiteLayout | null)[];
  /** Extra tensors asked for. */
  extra: Record<string, Tensor>;
  /** Gates whose tensor could not be split into heads for this batch, with the reason. */
  notes: string[];
}

export async function cleanRun(
  runner: Runner,
  model: CausalModel,
  tokens: number[][],
  fetchAlso: readonly string[] = [],
): Promise<CleanRun> {
  const B = tokens.length;
  const T = tokens[0]?.length ?? 0;
  const r = model.readouts;
  // The patterns are not fetched: z's leading axes say how many heads there are (batch * heads), and a run
  // of the 128-head model would copy out 33 MB of them at 256 tokens for nothing.
  const fetch = [
    ...new Set([r.nextLogit, r.nextLogprob, r.lastLogits, ...model.gates.map((g) => g.raw), ...fetchAlso]),
  ];
  const out = await runner.run(tokens, fetch, identityInputs(model.gates));
  checkLogits(out[r.lastLogits], model.logits, B, 1);
  const notes: string[] = [];
  const layouts = model.gates.map((g) => {
    const layout = splitHeads(out[g.raw].dims, B, T);
    const what = g.site.kind === 'z' ? 'z' : 'the pattern';
    if (typeof layout !== 'string' && (g.site.kind === 'z' || layout.width === T)) return layout;
    const why =
      typeof layout === 'string' ? layout : `is [${out[g.raw].dims}]: not square over the ${T} positions`;
    notes.push(`blocks.${g.site.layer} left out: ${what} ${why}`);
    return null;
  });
  const raw = model.gates.map((g, i) => (layouts[i] ? out[g.raw] : null));
  const extra = Object.fromEntries(fetchAlso.map((n) => [n, out[n]]));
  return {
    tokens,
    nextLogit: out[r.nextLogit],
    nextLogprob: out[r.nextLogprob],
    last: out[r.lastLogits],
    raw,
    layouts,
    extra,
    notes,
  };
}

/** [.., pos, width] with batch x heads leading, batch-major; or why not. */
export function splitHeads(dims: readonly number[], batch: number, seq: number): SiteLayout | string {
  if (dims.length < 2) return `is [${dims}], not [.., pos, width]`;
  const pos = dims[dims.length - 2];
  const width = dims[dims.length - 1];
  const lead = dims.slice(0, -2).reduce((a, b) => a * b, 1);
  if (pos !== seq) return `is [${dims}]: its second-to-last axis is not the ${seq} positions`;
  if (lead % batch !== 0 || lead === 0)
    return `is [${dims}]: its leading axes do not hold a batch of ${batch}`;
  return { heads: lead / batch, pos, width };
}

/** The last position's logits must be [batch, 1, vocab]: the logits output is [batch, pos, vocab]. */
export function checkLogits(last: Tensor | undefined, name: string, batch: number, seq: number): void {
  const d = last?.dims ?? [];
  if (d.length !== 3 || d[0] !== batch || d[1] !== seq)
    throw new UsageError(
      `the logits output '${name}' is not [batch ${batch}, pos, vocab] (its last position: [${d}])`,
    );
}

/** `copies` copies of the batch, one after another: row r of copy c is row c * B + r. */
export function repeatRows(tokens: readonly number[][], copies: number): number[][] {
  const rows: number[][] = [];
  for (let c = 0; c < copies; c++) for (const row of tokens) rows.push(row as number[]);
  return rows;
}
