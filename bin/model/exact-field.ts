import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../format/errors';
import type { GradientProfiler } from '../../probes/field/field-probe';
import type { Objective } from '../../probes/field/objective';
import type { OnnxModel } from '../../format/onnx/model';
import type { Runner } from '../../probes/runner';
import { initBackend } from '../../training/backend';
import { weightsFromOnnx } from '../../training/export/from-onnx';
import { forward } from '../../training/models/model';
import { disposeParams, paramsFromValues, type Params } from '../../training/models/params';

/**
 * Exact receptive-field gradients for the checkpoints smallscope can rebuild: the tfjs model is rebuilt from
 * the ONNX initializers (training/export/from-onnx.ts) and g(s) = || d y_t / d e_s ||_2 comes from tf.grad with
 * respect to the embedding vectors, one backward pass per input row instead of 2 d T perturbed runs.
 *
 * How the gradient reaches the embedding vectors without changing the model code: the lookup e_s = W_E[x_s]
 * is replaced by a lookup in [W_E; E] with token ids V + s, where E [T, d] holds the row's own vectors, so
 * d y / d E[s] is d y / d e_s exactly (also when a token repeats, and for a head tied to W_E: the extra
 * vocabulary columns are cut from the logits before the objective, so they add exactly 0).
 *
 * Before it is used, the rebuilt model is checked against the graph itself: its logits on the probe's rows
 * must match ONNX Runtime's within 1e-3 (relative to the logits' scale), or the caller falls back to finite
 * differences.
 */
export const EXACT_TOLERANCE = 1e-3;

export interface ExactCheck {
  /** a runner over the model cut after its embedding (ort-embeddings.ts) */
  runner: Runner;
  /** the embedding table [vocab, d] */
  table: { dims: number[]; data: Float32Array };
  rows: number[][];
}

export type ExactProfiler = GradientProfiler & { dispose(): void };

/**
 * A profiler for `model`, or why there is none. `output` is the graph output y_t is read from: only the
 * logits are rebuilt.
 */
export async function createExactProfiler(
  model: OnnxModel,
  output: string,
  check?: ExactCheck,
): Promise<ExactProfiler | { reason: string }> {
  const w = weightsFromOnnx(model);
  if ('reason' in w) return w;
  if (output !== 'logits') return { reason: `y_t is read from '${output}', not the logits` };
  await initBackend();
  const { spec } = w;
  const params = paramsFromValues(spec, w.values);
  if (check) {
    const diff = await compareWithGraph(spec, params, check);
    if (diff !== null) {
      disposeParams(params);
      return { reason: diff };
    }
  }
  return {
    method: 'exact (tfjs)',
    profile: async (row, t, objective) => profileRow(spec, params, row, t, objective),
    dispose: () => disposeParams(params),
  };
}

type Spec = Parameters<typeof forward>[0];

function profileRow(
  spec: Spec,
  params: Params,
  row: readonly number[],
  t: number,
  objective: Objective,
): Float64Array {
  const V = spec.vocab;
  const T = row.length;
  if (objective.kind === 'logit' && objective.k >= V)
    throw new UsageError(`logit:${objective.k} is past the output's ${V} entries`);
  if (objective.kind === 'loss' && t + 1 >= T)
    throw new UsageError(`--objective loss at position ${t} needs the next token`);
  const grad = tf.tidy(() => {
    const W_E = params['embed.W_E'] as tf.Tensor2D; // [vocab, d]
    const E0 = tf.gather(W_E, tf.tensor1d(Array.from(row), 'int32')); // [pos, d]: the row's embedding vectors
    const ids = tf.tensor2d([Array.from({ length: T }, (_, s) => V + s)], [1, T], 'int32'); // [1, pos]
    const wide: Spec = { ...spec, vocab: V + T };
    const y = (E: tf.Tensor) => {
      const p = { ...params, 'embed.W_E': tf.concat([W_E, E as tf.Tensor2D], 0) } as unknown as Params; // [vocab + pos, d]
      const logits = forward(wide, p, ids).logits; // [1, pos, vocab (+ pos for a tied head)]
      const l = tf.reshape(tf.slice(logits, [0, t, 0], [1, 1, V]), [V]); // [vocab]: y_t's logits
      if (objective.kind === 'sum') return tf.sum(l);
      if (objective.kind === 'logit') return tf.sum(tf.slice(l, [objective.k], [1]));
      return tf.neg(tf.sum(tf.slice(tf.logSoftmax(l), [row[t + 1]], [1]))); // cross-entropy of x_{t+1}
    };
    return tf.grad(y)(E0); // [pos, d]
  });
  const g = grad.dataSync();
  grad.dispose();
  const d = g.length / T;
  const out = new Float64Array(T);
  for (let s = 0; s < T; s++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += g[s * d + j] ** 2;
    out[s] = Math.sqrt(sq);
  }
  return out;
}

/** null when the rebuilt model's logits match the graph's, else the reason. */
async function compareWithGraph(spec: Spec, params: Params, c: ExactCheck): Promise<string | null> {
  const [, d] = c.table.dims;
  const T = c.rows[0].length;
  const e = new Float32Array(c.rows.length * T * d);
  c.rows.forEach((row, b) =>
    row.forEach((id, p) => e.set(c.table.data.subarray(id * d, (id + 1) * d), (b * T + p) * d)),
  );
  if (!c.runner.runEmbeddings) return 'the runner cannot run from embeddings';
  const graph = (await c.runner.runEmbeddings({ dims: [c.rows.length, T, d], data: e }, ['logits'], c.rows))
    .logits.data;
  const mine = tf.tidy(() =>
    forward(spec, params, tf.tensor2d(c.rows, [c.rows.length, T], 'int32')).logits.dataSync(),
  );
  if (mine.length !== graph.length) return 'the rebuilt tfjs model gives logits of another shape';
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < graph.length; i++) {
    scale = Math.max(scale, Math.abs(graph[i]));
    worst = Math.max(worst, Math.abs(graph[i] - mine[i]));
  }
  if (!(worst <= EXACT_TOLERANCE * scale)) {
    return `the tfjs model rebuilt from the initializers disagrees with the graph (max |logit difference| ${worst.toExponential(2)})`;
  }
  return null;
}
