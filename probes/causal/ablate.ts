import { UsageError } from '../../format/errors';
import type { Runner } from '../runner';
import type { CausalModel } from './causal-model';
import { cleanRun, repeatRows, type CleanRun } from './clean-run';
import { gateInputs, headBlock, type HeadEdit, type SiteLayout } from './gate-inputs';
import { nextTokenLoss } from './loss';
import { forEachChunk, headList, type HeadRef } from './heads';

/**
 * Head ablation: the model's next-token loss with one head's output z replaced by zeros, or by its mean over
 * the batch and positions (TransformerLens's `hook_z`, before the output projection), one head at a time.
 * Where z cannot be separated the head's pattern is replaced instead (a zero pattern gives z = 0; the mean
 * pattern is the batch mean), with a note.
 *
 * Cost: one clean run, then every head's ablation in rows of the same batch (the input copied once per head,
 * each copy with its own head gated): H + 1 forwards' work in ceil(H / copies per run) + 1 runs.
 */
export type AblationMode = 'zero' | 'mean';

export interface HeadAblation {
  name: string;
  layer: number;
  head: number;
  /** What was edited: the head's z, or its pattern where z could not be separated. */
  site: 'z' | 'pattern';
  loss: number;
  loss_delta: number;
  /** [batch][t]: ablated minus clean loss of predicting token t + 1. */
  per_token_delta: number[][];
}

export interface AblationResult {
  loss: { baseline: number; per_token: number[][] };
  heads: HeadAblation[];
  mode: AblationMode;
  notes: string[];
  /** Runs of the model, the clean one included, and how many input copies each held at most. */
  runs: number;
  copies_per_run: number;
}

export interface AblationOptions {
  mode: AblationMode;
  /** Heads to ablate; all when absent. */
  heads?: readonly HeadRef[];
  /** Most rows in one run (a model with a fixed batch: its batch); default from a memory budget. */
  maxRows?: number;
}

export async function ablateHeads(
  runner: Runner,
  model: CausalModel,
  tokens: number[][],
  opts: AblationOptions,
): Promise<AblationResult> {
  if ((tokens[0]?.length ?? 0) < 2)
    throw new UsageError('ablation measures the next-token loss: give at least 2 tokens');
  const clean = await cleanRun(runner, model, tokens);
  const base = nextTokenLoss(clean.nextLogprob, tokens.length);
  const targets = headList(model, clean.layouts, opts.heads);
  const B = tokens.length;
  const fills = targets.map((t) => (opts.mode === 'mean' ? meanFill(model, clean, t.gate, t.head) : null));
  const heads: HeadAblation[] = [];
  const { runs, copies } = await forEachChunk(targets.length, clean, opts.maxRows, async (from, to) => {
    const edits: HeadEdit[] = [];
    for (let i = from; i < to; i++)
      for (let b = 0; b < B; b++)
        edits.push({ gate: targets[i].gate, row: (i - from) * B + b, head: targets[i].head, fill: fills[i] });
    const rows = (to - from) * B;
    const inputs = gateInputs(model.gates, clean.layouts, rows, edits);
    const logprob = model.readouts.nextLogprob;
    const out = await runner.run(repeatRows(tokens, to - from), [logprob], inputs);
    for (let i = from; i < to; i++) {
      const ablated = nextTokenLoss(out[logprob], B, (i - from) * B);
      const t = targets[i];
      heads.push({
        name: `L${t.layer}H${t.head}`,
        layer: t.layer,
        head: t.head,
        site: model.gates[t.gate].site.kind,
        loss: ablated.mean,
        loss_delta: ablated.mean - base.mean,
        per_token_delta: ablated.perToken.map((row, b) => row.map((l, p) => l - base.perToken[b][p])),
      });
    }
  });
  return {
    loss: { baseline: base.mean, per_token: base.perToken },
    heads,
    mode: opts.mode,
    notes: [...model.notes, ...clean.notes],
    runs: runs + 1,
    copies_per_run: copies,
  };
}

/**
 * A head's mean over the batch (and, for z, the positions): z gives a [width] vector put at every position;
 * a pattern gives the [pos, pos] batch mean (a pattern averaged over positions is not a pattern).
 */
function meanFill(model: CausalModel, clean: CleanRun, gate: number, head: number): Float32Array {
  const layout = clean.layouts[gate] as SiteLayout;
  const raw = clean.raw[gate]!;
  const B = clean.tokens.length;
  const overPositions = model.gates[gate].site.kind === 'z';
  const size = overPositions ? layout.width : layout.pos * layout.width;
  const sum = new Float64Array(size);
  for (let b = 0; b < B; b++) {
    const block = headBlock(raw, layout, b, head);
    for (let i = 0; i < block.length; i++) sum[overPositions ? i % layout.width : i] += block[i];
  }
  const n = overPositions ? B * layout.pos : B;
  return Float32Array.from(sum, (s) => s / n);
}
