import { UsageError } from '../../format/errors';
import type { OnnxModel } from '../../format/onnx/model';
import { directPath, type PathStep } from '../onnx/direct-path';
import type { Gate } from '../onnx/gate-surgery';
import { indexGraph } from '../onnx/graph-walk';
import type { Runner } from '../runner';
import type { CausalModel } from './causal-model';
import { cleanRun } from './clean-run';
import { headBlock, type SiteLayout } from './gate-inputs';
import { KEEPS_DIMS, replay, type Carried } from './replay';

/**
 * Direct logit attribution: each head's direct contribution to the logit of the actual next token, at every
 * position: z_h W_O[h] carried along the linear path to the logits (through the residual stream, a final
 * LayerNorm at the run's scale, W_U; biases left out), TransformerLens's `stack_head_results` +
 * `apply_ln_to_stack` + `logit_attrs`. A head whose path is not linear (its output only reaches the logits
 * through another layer) has none: null, with the reason.
 */
export interface DlaPlan {
  /** Per gate: the direct path, or why there is none. */
  paths: (PathStep[] | string)[];
  /** Tensors a run must return for the replay: reshape outputs, LayerNorm inputs. */
  expose: string[];
  notes: string[];
}

export const LN_NOTE =
  "a LayerNorm sits on the path to the logits: TransformerLens's convention (apply_ln_to_stack) is used, each head's part centered, divided by this run's LayerNorm scale at its position and multiplied by the LayerNorm weight; the LayerNorm bias and every other bias belong to no head";

export function planDla(model: OnnxModel, gates: readonly Gate[], logits: string): DlaPlan {
  const g = indexGraph(model);
  const expose = new Set<string>();
  let ln = false;
  const paths = gates.map((gate) => {
    if (gate.site.kind !== 'z') return 'z cannot be separated from the pattern in this graph';
    const p = directPath(g, gate.site.tensor, logits);
    if ('reason' in p) return p.reason;
    for (const s of p.steps) {
      if (s.op === 'layout' && s.node.opType !== 'Transpose' && !KEEPS_DIMS.has(s.node.opType))
        expose.add(s.output);
      if (s.op === 'layernorm') {
        expose.add(s.input);
        ln = true;
      }
    }
    return p.steps;
  });
  return { paths, expose: [...expose], notes: ln ? [LN_NOTE] : [] };
}

export interface HeadDla {
  name: string;
  layer: number;
  head: number;
  /** [batch][t]: the head's direct contribution to the logit of token t + 1 at position t; null: no direct path. */
  dla: number[][] | null;
  /** Why dla is null. */
  note: string | null;
}

export interface DlaResult {
  heads: HeadDla[];
  /** [batch][t]: the logit of token t + 1 at position t, for scale. */
  logit: number[][];
  notes: string[];
}

export async function directLogitAttribution(
  runner: Runner,
  model: CausalModel,
  tokens: number[][],
): Promise<DlaResult> {
  const plan = model.dla;
  if (!plan) throw new Error('prepare the model with { dla: true }');
  const B = tokens.length;
  const T = tokens[0]?.length ?? 0;
  if (T < 2)
    throw new UsageError(
      'direct logit attribution reads the logit of the next token: give at least 2 tokens',
    );
  const clean = await cleanRun(runner, model, tokens, plan.expose);
  const V = clean.last.dims[2];
  const next = new Int32Array(B * T);
  tokens.forEach((row, b) => row.forEach((_, t) => (next[b * T + t] = t + 1 < T ? row[t + 1] : 0)));
  const ctx = {
    dims: (name: string) => clean.extra[name].dims,
    value: (name: string) => clean.extra[name],
  };
  const heads: HeadDla[] = [];
  model.gates.forEach((gate, i) => {
    const layout = clean.layouts[i];
    if (!layout) return;
    const path = plan.paths[i];
    for (let h = 0; h < layout.heads; h++) {
      const row = { name: `L${gate.site.layer}H${h}`, layer: gate.site.layer, head: h };
      if (typeof path === 'string') {
        heads.push({ ...row, dla: null, note: path });
        continue;
      }
      try {
        const out = replay(onlyHead(clean.raw[i]!, layout, B, h), path, ctx, next);
        heads.push({ ...row, dla: perPosition(out, B, T, V, next), note: null });
      } catch (e) {
        heads.push({
          ...row,
          dla: null,
          note: `the path to the logits could not be followed: ${(e as Error).message}`,
        });
      }
    }
  });
  const logit = tokens.map((_, b) =>
    Array.from(clean.nextLogit.data.subarray(b * (T - 1), (b + 1) * (T - 1))),
  );
  const nulls = [...new Set(heads.filter((h) => h.note).map((h) => `blocks.${h.layer}: ${h.note}`))];
  return { heads, logit, notes: [...model.notes, ...clean.notes, ...plan.notes, ...nulls] };
}

/** z with every head but `head` zeroed, in z's own dims. */
function onlyHead(
  raw: { dims: number[]; data: Float32Array },
  layout: SiteLayout,
  B: number,
  head: number,
): Carried {
  const data = new Float64Array(raw.data.length);
  const size = layout.pos * layout.width;
  for (let b = 0; b < B; b++) {
    const at = (b * layout.heads + head) * size;
    data.set(headBlock(raw, layout, b, head), at);
  }
  return { dims: [...raw.dims], data };
}

/** The carried logits at each position's next token: [B * T] gathered, or read from [B, T, V]. */
function perPosition(out: Carried, B: number, T: number, V: number, next: Int32Array): number[][] {
  const gathered = out.data.length === B * T;
  if (!gathered && out.data.length !== B * T * V)
    throw new Error(`the path ends in [${out.dims}], not the logits [${B}, ${T}, ${V}]`);
  return Array.from({ length: B }, (_, b) =>
    Array.from({ length: T - 1 }, (_, t) => {
      const r = b * T + t;
      return gathered ? out.data[r] : out.data[r * V + next[r]];
    }),
  );
}
