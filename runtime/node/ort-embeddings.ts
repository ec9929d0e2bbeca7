import * as ort from 'onnxruntime-node';
import { fill } from '../../format/feeds';
import type { CutModel } from '../../probes/onnx/cut-embedding';
import { loadFailure, runFailure } from '../../probes/run-failure';
import { ORT_QUIET } from './ort-node';
import type { Runner } from '../../probes/runner';
import type { Tensor } from '../../probes/tensor';

/**
 * An onnxruntime-node Runner over a model cut after its embedding lookup (probes/onnx/cut-embedding.ts):
 * runEmbeddings feeds embedding vectors [batch, pos, d]; token ids are still fed where the rest of the graph
 * reads them (ids 0 when the caller gives none: such graphs normally read only their shape). Graph
 * optimizations stay off, as in ort-node.ts, so the runtime computes the graph as written.
 */
export async function createEmbeddingRunner(cut: CutModel, intraOpNumThreads?: number): Promise<Runner> {
  const session = await ort.InferenceSession.create(cut.bytes, {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: ORT_QUIET,
    ...(intraOpNumThreads ? { intraOpNumThreads } : {}),
  }).catch((e: unknown) => {
    throw loadFailure(e);
  });
  const tokenType =
    cut.tokenInput === null
      ? null
      : (session.inputMetadata.find((m) => m.name === cut.tokenInput) as { type?: string } | undefined)?.type;
  return {
    outputNames: session.outputNames,
    async run() {
      throw new Error('this runner takes embeddings: use runEmbeddings');
    },
    async runEmbeddings(embeddings: Tensor, fetch: readonly string[], tokens?: number[][]) {
      const [batch, seq] = embeddings.dims;
      const feeds: Record<string, ort.Tensor> = {
        [cut.embeddingInput]: new ort.Tensor('float32', embeddings.data, embeddings.dims),
      };
      if (cut.tokenInput !== null) {
        const ids = new Array<number>(batch * seq).fill(0);
        if (tokens)
          for (let b = 0; b < batch; b++)
            for (let p = 0; p < seq; p++) ids[b * seq + p] = tokens[b % tokens.length][p];
        feeds[cut.tokenInput] =
          tokenType === 'int32'
            ? new ort.Tensor('int32', Int32Array.from(ids), [batch, seq])
            : new ort.Tensor(
                'int64',
                BigInt64Array.from(ids, (t) => BigInt(t)),
                [batch, seq],
              );
      }
      for (const spec of cut.others) {
        const f = fill(spec, batch, seq);
        feeds[f.name] = new ort.Tensor(f.type, f.data, f.dims);
      }
      const out = await session.run(feeds, [...fetch]).catch((e: unknown) => {
        throw runFailure(e, null, seq);
      });
      const result: Record<string, Tensor> = {};
      for (const name of fetch) {
        const t = out[name];
        result[name] = {
          dims: [...t.dims],
          data:
            t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number),
        };
      }
      return result;
    },
    async dispose() {
      await session.release();
    },
  };
}
