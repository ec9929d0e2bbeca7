import { UsageError } from '../../format/errors';
import { findConvs } from '../onnx/conv-nodes';
import { constantTensor, type OnnxModel } from '../../format/onnx/model';
import type { Runner } from '../runner';
import { summarizeErf, type ErfSummary } from './erf';
import { gradientProfile } from './finite-difference';
import { objectiveName, type Objective } from './objective';
import { theoreticalField, type ConvLayerTaps, type TheoreticalField } from './theory';

/**
 * `smallscope probe field`: the receptive field of output position t (PROBE_DEFINITIONS §4).
 *
 * Theoretical: the support of the graph's 1-D convs taken as one stack in graph order, from their tap
 * offsets (dilations, pads, dead = all-zero taps such as a masked future tap; sparse supports kept sparse).
 * Attention can make every position reachable, so when the model has attention every position is perturbed;
 * otherwise only t + support is, and every other position is reported as exactly 0 without running.
 *
 * Measured: g(s) = || d y_t / d e_s ||_2 by central finite differences on the model cut after its embedding,
 * averaged over the input rows; summarised as an ERF (mass radii, moment sigma) and the ERF/TRF ratio
 * R95 / radius. A caller that can differentiate the model exactly (bin/model/graph-exact.ts: the graph's
 * nodes evaluated as tfjs ops, runtime/tfjs) passes a `profiler`, and g(s) is then that exact gradient.
 */
export type FieldMethod = 'central finite differences through ONNX Runtime' | 'exact (tfjs graph autodiff)';

/** Computes g(s) of one input row exactly (every position, no perturbation). */
export interface GradientProfiler {
  method: FieldMethod;
  profile(row: readonly number[], position: number, objective: Objective): Promise<Float64Array>;
}

export interface FieldResult {
  position: number;
  theoretical: TheoreticalField & { convs: number; note: string | null };
  gradient: number[];
  erf: ErfSummary;
  /** R95 / theoretical radius (null when either is missing or the radius is 0) */
  erf_trf_ratio: number | null;
  objective: string;
  output: string;
  /** the finite-difference step; null for an exact gradient */
  eps: number | null;
  rows: number;
  /**
   * how many positions were perturbed (the rest are exact zeros by construction); 0 for an exact gradient,
   * which is computed at every position
   */
  perturbed: number;
  one_sided: boolean;
  method: FieldMethod;
  notes: string[];
}

/**
 * The graph's 1-D convs as one stack, in graph order. With `output`, only the convs it depends on: a conv whose
 * result no longer reaches the output (the query/key conv of seed 000's `T` layer once attention is taken out,
 * without-attention.ts) adds nothing to its receptive field.
 */
export function convStack(model: OnnxModel, output?: string): ConvLayerTaps[] {
  const live = output === undefined ? null : upstreamNodes(model, output);
  return findConvs(model)
    .filter((c) => c.taps !== null && (live === null || live.has(c.node)))
    .map((c) => ({
      // the weight's own kernel length (its taps), never the kernel_shape attribute: a file may claim 2^40
      kernel: c.taps!.length,
      dilation: c.dilations[0],
      padLeft: c.padsBegin[0],
      deadTaps: c.taps!.filter((t) => t.zero).map((t) => t.tap),
      stride: c.strides[0],
    }));
}

/** Names of the nodes whose values `output` is computed from (node name, else its first output, as findConvs). */
function upstreamNodes(model: OnnxModel, output: string): Set<string> {
  const producer = new Map(model.nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const seen = new Set<OnnxModel['nodes'][number]>();
  const todo = [output];
  while (todo.length > 0) {
    const n = producer.get(todo.pop()!);
    if (!n || seen.has(n)) continue;
    seen.add(n);
    todo.push(...valueInputs(n));
  }
  return new Set([...seen].map((n) => n.name || n.output[0]));
}

/**
 * The inputs whose values a node reads. Shape and Size read only dimensions, CastLike's second input only its
 * element type (the identity pattern of without-attention.ts takes both from the pattern it replaces): no
 * gradient flows back through them.
 */
function valueInputs(n: OnnxModel['nodes'][number]): string[] {
  if (n.opType === 'Shape' || n.opType === 'Size') return [];
  const inputs = n.opType === 'CastLike' ? n.input.slice(0, 1) : n.input;
  return inputs.filter((i) => i);
}

export interface FieldOptions {
  output: string;
  position?: number;
  objective: Objective;
  eps: number;
  /** the model has attention (its reach is the whole sequence, not the conv support) */
  attention: boolean;
  /** perturb every position even without attention (checks that the zeros outside the support are real) */
  perturbAll?: boolean;
  maxFloats?: number;
  /** differentiate exactly instead of by finite differences */
  profiler?: GradientProfiler;
}

/**
 * Ops that carry a state along the sequence (Mamba's selective scan is a Scan, the LSTM an LSTM node): like
 * attention, they let output t depend on every earlier position, whatever the convs' support.
 */
const RECURRENT_OPS = new Set(['Scan', 'Loop', 'LSTM', 'GRU', 'RNN']);

export async function receptiveField(
  model: OnnxModel,
  table: string,
  runner: Runner,
  tokens: number[][],
  opts: FieldOptions,
): Promise<FieldResult> {
  const T = tokens[0].length;
  const layers = convStack(model, opts.output);
  const theory = theoreticalField(layers);
  const notes: string[] = [];
  const t = opts.position ?? (theory.forward > 0 ? Math.floor(T / 2) : T - 1);
  if (!Number.isInteger(t) || t < 0 || t >= T) {
    throw new UsageError(`--position ${t} is outside the sequence: use 0..${T - 1}`);
  }
  if (opts.objective.kind === 'loss' && t + 1 >= T) {
    throw new UsageError(
      `--objective loss at position ${t} needs the next token: use a position below ${T - 1}`,
    );
  }
  const emb = constantTensor(model, table)!;
  const d = emb.dims[1];
  const recurrent = model.nodes.some((n) => RECURRENT_OPS.has(n.opType));
  const all = opts.attention || recurrent || opts.perturbAll || layers.length === 0;
  if (recurrent && !opts.attention && !opts.profiler)
    notes.push('the model has a recurrence: every earlier position can be reached, so all are perturbed');
  if (opts.attention && !opts.profiler)
    notes.push('the model has attention: every position can be reached, so all are perturbed');
  const positions = all
    ? Array.from({ length: T }, (_, s) => s)
    : theory.support.map((o) => t + o).filter((s) => s >= 0 && s < T);
  const g = new Float64Array(T);
  for (const row of tokens) {
    const e = new Float32Array(T * d);
    row.forEach((id, p) => e.set(emb.data.subarray(id * d, (id + 1) * d), p * d));
    const gr = opts.profiler
      ? await opts.profiler.profile(row, t, opts.objective)
      : await gradientProfile(runner, e, row, d, {
          output: opts.output,
          position: t,
          positions,
          objective: opts.objective,
          eps: opts.eps,
          maxFloats: opts.maxFloats,
        });
    gr.forEach((v, s) => (g[s] += v / tokens.length));
  }
  let oneSided = true;
  for (let s = t + 1; s < T; s++) if (g[s] !== 0) oneSided = false;
  const erf = summarizeErf(g, t, oneSided);
  return {
    position: t,
    theoretical: {
      ...theory,
      convs: layers.length,
      note: opts.attention
        ? 'support of the conv stack only; attention reaches the whole (causal) prefix'
        : recurrent && layers.length > 0
          ? 'support of the conv stack only; the recurrence reaches the whole prefix'
          : layers.length === 0
            ? 'no convolution found'
            : null,
    },
    gradient: Array.from(g),
    erf,
    erf_trf_ratio: erf.r95 !== null && theory.radius > 0 ? erf.r95 / theory.radius : null,
    objective: objectiveName(opts.objective),
    output: opts.output,
    eps: opts.profiler ? null : opts.eps,
    rows: tokens.length,
    perturbed: opts.profiler ? 0 : positions.length,
    one_sided: oneSided,
    method: opts.profiler?.method ?? 'central finite differences through ONNX Runtime',
    notes,
  };
}
