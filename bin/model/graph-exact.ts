import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../format/errors';
import { constantTensor, type OnnxModel } from '../../format/onnx/model';
import type { FieldMethod, GradientProfiler } from '../../probes/field/field-probe';
import { rowNorms } from '../../probes/field/finite-difference';
import type { CutModel } from '../../probes/onnx/cut-embedding';
import type { Runner } from '../../probes/runner';
import { EmbeddingGraph } from '../../runtime/tfjs/graph-gradients';
import { GraphEvalError } from '../../runtime/tfjs/interpreter';
import { objectiveScalar } from '../../runtime/tfjs/objective';
import { UnsupportedOp } from '../../runtime/tfjs/ops/context';
import { initBackend } from '../../training/backend';

/**
 * Exact gradients for any graph (runtime/tfjs: the ONNX nodes evaluated as tfjs ops, differentiated by
 * tfjs's autodiff), opened for the probes that need d y / d e: `probe field` and `probe saliency`.
 *
 * Before it is used, the interpretation is checked against ONNX Runtime on the probe's own rows: the fetched
 * output must match within EXACT_TOLERANCE of its scale, or the caller falls back to finite differences
 * with the reason. An op outside the supported set is found before anything runs and named in the reason.
 */
export const EXACT_TOLERANCE = 1e-3;
export const GRAPH_METHOD: FieldMethod = 'exact (tfjs graph autodiff)';

export type ExactProfiler = GradientProfiler & { dispose(): void };

export async function openEmbeddingGraph(
  model: OnnxModel,
  cut: CutModel,
  output: string,
  check: { runner: Runner; rows: number[][] },
): Promise<EmbeddingGraph | { reason: string }> {
  await initBackend();
  let graph: EmbeddingGraph | undefined;
  try {
    graph = new EmbeddingGraph(model, cut, output, constantTensor(model, cut.table)!);
    const mine = graph.forward(check.rows);
    const e = graph.embed(check.rows);
    const [rows, T] = [check.rows.length, check.rows[0].length];
    const theirs = (
      await check.runner.runEmbeddings!({ dims: [rows, T, cut.dModel], data: e }, [output], check.rows)
    )[output];
    const diff = disagreement(mine, theirs);
    if (diff !== null) {
      graph.dispose();
      return { reason: diff };
    }
    // one backward pass before any is relied on: a gradient tfjs cannot take fails here, not mid-probe
    graph.gradient(check.rows[0], (out) => tf.sum(out) as tf.Scalar);
    return graph;
  } catch (e) {
    graph?.dispose();
    if (e instanceof UnsupportedOp || e instanceof GraphEvalError) return { reason: e.message };
    if (e instanceof UsageError) throw e;
    return { reason: `tfjs cannot differentiate the graph: ${(e as Error)?.message ?? String(e)}` };
  }
}

/** null when the interpreter's output matches ONNX Runtime's, else the reason. */
function disagreement(
  mine: { dims: number[]; data: Float32Array },
  theirs: { dims: number[]; data: Float32Array },
): string | null {
  if (mine.dims.join() !== theirs.dims.join()) {
    return `the tfjs evaluation of the graph gives [${mine.dims}] where ONNX Runtime gives [${theirs.dims}]`;
  }
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < theirs.data.length; i++) {
    scale = Math.max(scale, Math.abs(theirs.data[i]));
    worst = Math.max(worst, Math.abs(theirs.data[i] - mine.data[i]));
  }
  if (worst <= EXACT_TOLERANCE * Math.max(scale, 1e-30)) return null;
  return `the tfjs evaluation of the graph disagrees with ONNX Runtime (max |difference| ${worst.toExponential(2)}, output scale ${scale.toExponential(2)})`;
}

/** probe field's profiler over an opened graph: g(s) = || d y_t / d e_s ||_2 from one backward pass a row. */
export function graphProfiler(graph: EmbeddingGraph): ExactProfiler {
  return {
    method: GRAPH_METHOD,
    profile: async (row, t, objective) => {
      const T = row.length;
      const next = objective.kind === 'loss' ? row[t + 1] : null;
      const { grad, d } = graph.gradient(row, (out) => objectiveScalar(out, T, t, objective, next));
      return rowNorms(grad, T, d);
    },
    dispose: () => graph.dispose(),
  };
}
