import { attentionPatterns, type AttentionTap, type Patterns } from '$probes/attention';
import type { CausalModel } from '$probes/causal/causal-model';
import { splitHeads } from '$probes/causal/clean-run';
import { gateInputs, type HeadEdit, type SiteLayout } from '$probes/causal/gate-inputs';
import type { HeadRef } from '$probes/causal/heads';
import { nextTokenLoss } from '$probes/causal/loss';
import type { Runner } from '$probes/runner';
import type { Tensor } from '$probes/tensor';

/**
 * One keystroke's run on the gated model (probes/causal/causal-model.ts): the attention patterns AND the
 * next-token loss, in one forward. With heads to ablate, the batch holds two copies of the text: row 0 as
 * exported (the clean loss, the patterns drawn), row 1 with those heads' z zeroed (keep = 0,
 * probes/causal/gate-inputs.ts), so the page shows the ablated loss and its change at the cost of one run.
 */
export interface TokenLoss {
  /** [t]: -log p(token t+1 | tokens 0..t), nats, the model as exported. */
  clean: number[];
  cleanMean: number;
  /** The same with `heads` zero-ablated; null when none is. */
  ablated: number[] | null;
  ablatedMean: number | null;
  /** The heads ablated in this run (those the model has; others in the URL are ignored). */
  heads: HeadRef[];
}

/** Heads per gate, from a run's raw gate tensors: what a zero edit needs to know (null: not separable). */
export type GateHeads = (number | null)[];

export interface CausalRun {
  patterns: Patterns;
  loss: TokenLoss;
  /** Found on this run when not given. */
  gateHeads: GateHeads;
}

export async function runCausal(
  runner: Runner,
  model: CausalModel,
  taps: readonly AttentionTap[],
  tokens: number[],
  ablate: readonly HeadRef[],
  known: GateHeads | null,
): Promise<CausalRun> {
  const T = tokens.length;
  const edits = known ? zeroEdits(model, known, ablate) : [];
  const rows = edits.length > 0 ? 2 : 1;
  const logprob = model.readouts.nextLogprob;
  // The raw gate tensors are fetched once per session, to learn how many heads each gate holds.
  const also = [logprob, ...(known ? [] : model.gates.map((g) => g.raw))];
  const layouts: SiteLayout[] = (known ?? []).map((heads) => ({ heads: heads ?? 0, pos: T, width: 1 }));
  const inputs = gateInputs(model.gates, layouts, rows, edits);
  const extra: Record<string, Tensor> = {};
  // attentionPatterns fetches the patterns; the wrapper adds the loss (and gates) to the same run.
  const withLoss: Runner = {
    outputNames: runner.outputNames,
    async run(t, fetch) {
      const out = await runner.run(t, [...new Set([...fetch, ...also])], inputs);
      for (const n of also) extra[n] = out[n];
      return out;
    },
  };
  const rowTokens = rows === 2 ? [tokens, tokens] : [tokens];
  const found = await attentionPatterns(withLoss, taps, rowTokens);
  const gateHeads =
    known ??
    model.gates.map((g) => {
      const layout = splitHeads(extra[g.raw].dims, 1, T);
      return typeof layout === 'string' ? null : layout.heads;
    });
  const clean = nextTokenLoss(extra[logprob], 1, 0);
  const ablated = rows === 2 ? nextTokenLoss(extra[logprob], 1, 1) : null;
  return {
    patterns: rows === 2 ? firstRow(found) : found,
    loss: {
      clean: clean.perToken[0],
      cleanMean: clean.mean,
      ablated: ablated?.perToken[0] ?? null,
      ablatedMean: ablated?.mean ?? null,
      heads: rows === 2 ? ablate.filter((h) => gateOf(model, known!, h) !== null) : [],
    },
    gateHeads,
  };
}

/** keep = 0 for each head asked for, in row 1; heads the model does not have are left out. */
function zeroEdits(model: CausalModel, heads: GateHeads, ablate: readonly HeadRef[]): HeadEdit[] {
  return ablate.flatMap((h) => {
    const gate = gateOf(model, heads, h);
    return gate === null ? [] : [{ gate, row: 1, head: h.head, fill: null }];
  });
}

/** The gate holding head h of layer l (the first separable one of that layer). */
function gateOf(model: CausalModel, heads: GateHeads, h: HeadRef): number | null {
  const i = model.gates.findIndex((g, i) => g.site.layer === h.layer && (heads[i] ?? 0) > h.head);
  return i < 0 ? null : i;
}

/** Batch element 0 of every pattern, [1, head, query, key]: the clean row, as the page draws it. */
function firstRow(p: Patterns): Patterns {
  const patterns: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(p.patterns)) {
    const [, heads, q, k] = t.dims;
    patterns[name] = { dims: [1, heads, q, k], data: t.data.subarray(0, heads * q * k) }; // [1, head, query, key]
  }
  return { ...p, patterns };
}

/** The status line's words for a run's loss: the mean, and with heads ablated, the mean after and the change. */
export function lossSummary(loss: TokenLoss): string {
  const clean = `loss ${loss.cleanMean.toFixed(3)} nats`;
  if (loss.ablatedMean === null) return clean;
  const d = loss.ablatedMean - loss.cleanMean;
  const names = loss.heads.map((h) => `L${h.layer}H${h.head}`).join(', ');
  return `${clean}, ${loss.ablatedMean.toFixed(3)} with ${names} ablated (${d >= 0 ? '+' : ''}${d.toFixed(3)})`;
}
