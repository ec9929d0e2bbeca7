import { fill } from '../../format/feeds';
import type { CutModel } from '$probes/onnx/cut-embedding';
import type { Runner } from '$probes/runner';
import type { Tensor } from '$probes/tensor';
import { runFailure, loadFailure } from '$probes/run-failure';
import { loadOrt, ORT_QUIET } from './ort';

/**
 * The probes' Runner over a model cut after its embedding lookup (probes/onnx/cut-embedding.ts), on
 * onnxruntime-web: runEmbeddings feeds embedding vectors [batch, pos, d], and token ids where the rest of the
 * graph still reads them (usually only their shape, for a causal mask). The browser twin of
 * runtime/node/ort-embeddings.ts, used by the receptive-field view's finite differences.
 */
export async function createWebEmbeddingRunner(cut: CutModel): Promise<Runner> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(cut.bytes, {
    executionProviders: ['wasm'],
    logSeverityLevel: ORT_QUIET,
  }).catch((e: unknown) => {
    throw loadFailure(e);
  });
  return {
    outputNames: session.outputNames,
    async run() {
      throw new Error('this runner takes embeddings: use runEmbeddings');
    },
    async runEmbeddings(embeddings: Tensor, fetch: readonly string[], tokens?: number[][]) {
      const [batch, seq] = embeddings.dims;
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
        [cut.embeddingInput]: new ort.Tensor('float32', Float32Array.from(embeddings.data), embeddings.dims),
      };
      if (cut.tokenInput !== null) {
        const ids = new BigInt64Array(batch * seq);
        if (tokens)
          for (let b = 0; b < batch; b++)
            for (let p = 0; p < seq; p++) ids[b * seq + p] = BigInt(tokens[b % tokens.length][p]);
        feeds[cut.tokenInput] = new ort.Tensor('int64', ids, [batch, seq]);
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
        const data =
          t.data instanceof Float32Array ? t.data.slice() : Float32Array.from(t.data as ArrayLike<number>);
        result[name] = { dims: [...t.dims], data };
        t.dispose();
      }
      return result;
    },
    async dispose() {
      await session.release();
    },
  };
}
