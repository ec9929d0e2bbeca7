import * as tf from '@tensorflow/tfjs-core';
import { fill } from '../../format/feeds';
import type { OnnxModel } from '../../format/onnx/model';
import type { CutModel } from '../../probes/onnx/cut-embedding';
import { feedTensor } from './feeds';
import { GraphProgram } from './interpreter';

/**
 * A graph as a function of its embedding vectors: the output of the embedding lookup (cut-embedding.ts names
 * it) is fed instead of computed, the token ids still go to whatever else reads them (a Shape for a causal
 * mask), the other inputs are filled by rule (format/feeds.ts); tf.grad then gives d y / d e for any scalar
 * y read from one fetched output. Construction checks that every op the output needs is supported
 * (UnsupportedOp otherwise), before anything runs.
 */
export interface RowGradient {
  /** the row's embedding vectors e [pos, d] */
  e: Float32Array;
  /** d y / d e [pos, d] */
  grad: Float32Array;
  /** y itself */
  value: number;
  d: number;
}

export class EmbeddingGraph {
  readonly program: GraphProgram;
  private readonly d: number;

  constructor(
    readonly model: OnnxModel,
    readonly cut: CutModel,
    readonly output: string,
    private readonly table: { dims: number[]; data: Float32Array },
  ) {
    this.program = new GraphProgram(model);
    this.d = table.dims[1];
    this.program.plan([output], this.given());
  }

  private given(): string[] {
    const names = [this.cut.embeddingInput, ...this.cut.others.map((o) => o.name)];
    const token = this.tokenInput();
    return token ? [...names, token] : names;
  }

  /** The token input of the original graph (the lookup reads it; so may a Shape), if it has one. */
  private tokenInput(): string | null {
    const gather = this.model.nodes.find((n) => n.output.includes(this.cut.embeddingInput));
    const ids = gather?.input[1];
    return ids && this.model.inputs.some((i) => i.name === ids) ? ids : null;
  }

  /** e for a batch of rows: [rows, pos, d] looked up in the table. */
  embed(rows: readonly (readonly number[])[]): Float32Array {
    const T = rows[0].length;
    const e = new Float32Array(rows.length * T * this.d);
    rows.forEach((row, b) =>
      row.forEach((id, p) =>
        e.set(this.table.data.subarray(id * this.d, (id + 1) * this.d), (b * T + p) * this.d),
      ),
    );
    return e;
  }

  private feeds(E: tf.Tensor, rows: readonly (readonly number[])[]): Record<string, tf.Tensor> {
    const [batch, T] = [rows.length, rows[0].length];
    const feeds: Record<string, tf.Tensor> = { [this.cut.embeddingInput]: E };
    const token = this.tokenInput();
    if (token) feeds[token] = tf.tensor2d(rows.flat(), [batch, T], 'int32'); // [batch, pos]
    for (const spec of this.cut.others) feeds[spec.name] = feedTensor(fill(spec, batch, T));
    return feeds;
  }

  /** The fetched output for a batch of rows, as the graph computes it from their embedding vectors. */
  forward(rows: readonly (readonly number[])[]): { dims: number[]; data: Float32Array } {
    return tf.tidy(() => {
      const E = tf.tensor3d(this.embed(rows), [rows.length, rows[0].length, this.d]); // [batch, pos, d]
      const out = this.program.run(this.feeds(E, rows), [this.output])[this.output];
      return { dims: [...out.shape], data: Float32Array.from(out.dataSync() as ArrayLike<number>) };
    });
  }

  /** d y / d e for one row, y = `objective` of the fetched output [1, ...]. */
  gradient(row: readonly number[], objective: (out: tf.Tensor) => tf.Scalar): RowGradient {
    const T = row.length;
    const e = this.embed([row]);
    const { grad, value } = tf.tidy(() => {
      const E = tf.tensor3d(e, [1, T, this.d]); // [1, pos, d]
      const f = (x: tf.Tensor) =>
        objective(this.program.run(this.feeds(x, [row]), [this.output])[this.output]);
      try {
        const { value, grad } = tf.valueAndGrad(f)(E);
        return { grad: Float32Array.from(grad.dataSync()), value: value.dataSync()[0] };
      } catch (err) {
        // y does not depend on the embedding vectors at all (tfjs refuses such a gradient): it is zero
        if (!/Cannot compute gradient of y=f\(x\)/.test((err as Error)?.message ?? '')) throw err;
        return { grad: new Float32Array(e.length), value: f(E).dataSync()[0] };
      }
    });
    return { e, grad, value, d: this.d };
  }

  dispose(): void {
    this.program.dispose();
  }
}
