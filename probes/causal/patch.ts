import { UsageError } from '../../format/errors';
import type { Runner } from '../runner';
import type { Tensor } from '../tensor';
import type { CausalModel } from './causal-model';
import { cleanRun, repeatRows } from './clean-run';
import { gateInputs, headBlock, type HeadEdit } from './gate-inputs';
import { forEachChunk, headList } from './heads';

/**
 * Activation patching, TransformerLens's `get_act_patch_attn_head_out_all_pos`: for every layer and head,
 * the corrupted input is run with that head's z (at every position) replaced by the clean run's, and the
 * logit difference logit[answer] - logit[wrong] at the last position is reported as the share recovered,
 * (patched - corrupt) / (clean - corrupt): 0 where the head carries nothing of the difference, 1 where
 * patching it alone restores the clean answer. Rows of a batch are averaged before the ratio. Where z cannot
 * be separated the head's pattern is patched instead (noted).
 */
export interface HeadPatch {
  name: string;
  layer: number;
  head: number;
  site: 'z' | 'pattern';
  logit_diff: number;
  /** null where clean and corrupt give the same logit difference (nothing to recover). */
  recovered: number | null;
}

export interface PatchResult {
  answer: number;
  wrong: number;
  logit_diff: { clean: number; corrupt: number };
  heads: HeadPatch[];
  /** recovered by [layer][head], as TransformerLens lays its patching table out. */
  table: (number | null)[][];
  notes: string[];
  runs: number;
}

export interface PatchOptions {
  /** Token ids; default: the clean run's top token at the last position, and the corrupt run's. */
  answer?: number;
  wrong?: number;
  maxRows?: number;
}

export async function patchHeads(
  runner: Runner,
  model: CausalModel,
  clean: number[][],
  corrupt: number[][],
  opts: PatchOptions = {},
): Promise<PatchResult> {
  const [cT, kT] = [clean[0]?.length ?? 0, corrupt[0]?.length ?? 0];
  if (cT !== kT)
    throw new UsageError(
      `the clean input has ${cT} tokens and the corrupted one ${kT}: patching replaces a head position by position, so both need the same length`,
    );
  if (clean.length !== corrupt.length)
    throw new UsageError(`the clean input has ${clean.length} rows and the corrupted one ${corrupt.length}`);
  const c = await cleanRun(runner, model, clean);
  const k = await cleanRun(runner, model, corrupt);
  const notes = [...model.notes, ...c.notes];
  const vocab = c.last.dims[2];
  const answer = opts.answer ?? topToken(c.last, 0);
  const wrong = opts.wrong ?? topToken(k.last, 0);
  for (const [flag, id] of [
    ['--answer', answer],
    ['--wrong', wrong],
  ] as const)
    if (id < 0 || id >= vocab)
      throw new UsageError(`${flag} token ${id} is outside the vocabulary of ${vocab}`);
  if (answer === wrong)
    throw new UsageError(
      `the answer and the wrong token are the same (id ${answer}): the logit difference is 0 on every run; give --answer and --wrong`,
    );
  if (opts.answer === undefined)
    notes.push(`answer: the clean run's top token at the last position (id ${answer})`);
  if (opts.wrong === undefined)
    notes.push(`wrong: the corrupted run's top token at the last position (id ${wrong})`);
  const cleanDiff = logitDiff(c.last, 0, clean.length, answer, wrong);
  const corruptDiff = logitDiff(k.last, 0, corrupt.length, answer, wrong);
  const denominator = cleanDiff - corruptDiff;
  if (denominator === 0) notes.push('clean and corrupt give the same logit difference: nothing to recover');

  const layouts = c.layouts.map((l, i) =>
    l && k.layouts[i] && l.heads === k.layouts[i]!.heads && l.width === k.layouts[i]!.width ? l : null,
  );
  const targets = headList(model, layouts);
  const B = corrupt.length;
  const heads: HeadPatch[] = [];
  const { runs } = await forEachChunk(targets.length, k, opts.maxRows, async (from, to) => {
    const edits: HeadEdit[] = [];
    for (let i = from; i < to; i++) {
      const t = targets[i];
      for (let b = 0; b < B; b++) {
        const fill = headBlock(c.raw[t.gate]!, layouts[t.gate]!, b, t.head);
        edits.push({ gate: t.gate, row: (i - from) * B + b, head: t.head, fill });
      }
    }
    const inputs = gateInputs(model.gates, layouts, (to - from) * B, edits);
    const last = model.readouts.lastLogits;
    const out = await runner.run(repeatRows(corrupt, to - from), [last], inputs);
    for (let i = from; i < to; i++) {
      const t = targets[i];
      const diff = logitDiff(out[last], (i - from) * B, B, answer, wrong);
      heads.push({
        name: `L${t.layer}H${t.head}`,
        layer: t.layer,
        head: t.head,
        site: model.gates[t.gate].site.kind,
        logit_diff: diff,
        recovered: denominator === 0 ? null : (diff - corruptDiff) / denominator,
      });
    }
  });
  return {
    answer,
    wrong,
    logit_diff: { clean: cleanDiff, corrupt: corruptDiff },
    heads,
    table: table(heads),
    notes,
    runs: runs + 2,
  };
}

/** The argmax of row `row`'s logits at the last position (logits [rows, pos, vocab]: [rows, 1, vocab] here). */
export function topToken(logits: Tensor, row: number): number {
  const [, T, V] = logits.dims;
  const at = (row * T + T - 1) * V;
  let best = 0;
  for (let v = 1; v < V; v++) if (logits.data[at + v] > logits.data[at + best]) best = v;
  return best;
}

/** Mean over rows first.. first + n - 1 of logit[answer] - logit[wrong] at the last position (float64). */
export function logitDiff(logits: Tensor, first: number, n: number, answer: number, wrong: number): number {
  const [, T, V] = logits.dims;
  let sum = 0;
  for (let b = first; b < first + n; b++) {
    const at = (b * T + T - 1) * V;
    sum += logits.data[at + answer] - logits.data[at + wrong];
  }
  return sum / n;
}

function table(heads: HeadPatch[]): (number | null)[][] {
  const layers = [...new Set(heads.map((h) => h.layer))].sort((a, b) => a - b);
  return layers.map((l) => {
    const row = heads.filter((h) => h.layer === l).sort((a, b) => a.head - b.head);
    return row.map((h) => h.recovered);
  });
}
