import * as ort from 'onnxruntime-node';
import { UsageError } from '../../format/errors';
import { buildFeeds, planFeeds } from '../../format/feeds';
import { checkContext, findContext } from '../../probes/onnx/context';
import type { OnnxModel } from '../../format/onnx/model';
import { failureHints, loadFailure, runFailure } from '../../probes/run-failure';
import type { Runner } from '../../probes/runner';
import type { Tensor } from '../../probes/tensor';

/**
 * The Runner over onnxruntime-node, for the CLI, the server and the tests.
 *
 * Graph optimizations are off by default: the probe model exposes intermediate tensors as outputs, and with
 * fusions on, the runtime may compute a different (fused) graph than the one whose tensors we read. The models
 * are tiny, so the speed given up does not matter.
 */
/** Longest sequence run when the model sets no bound: a 4096 x 4096 float map is 64 MB per head. */
export const MAX_SEQ = 4096;

/**
 * ONNX Runtime prints nothing of its own: its log lines (coloured, multi-line) would land on stderr, which the
 * CLI keeps for one-line errors; every failure reaches the user through runFailure/loadFailure instead.
 */
export const ORT_QUIET = 4; // logSeverityLevel: fatal only
ort.env.logLevel = 'fatal';

export interface NodeRunnerOptions {
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
}

/** `model` describes the graph (its token input); `bytes` is what to run (usually surgered to expose taps). */
export async function createNodeRunner(
  model: OnnxModel,
  bytes: Uint8Array,
  { graphOptimizationLevel = 'disabled', intraOpNumThreads }: NodeRunnerOptions = {},
): Promise<Runner> {
  // Token ids to input_ids/tokens, the other Hugging Face-style inputs by rule; anything else refused by name.
  const plan = planFeeds(model.inputs);
  if (model.externalData.length > 0) {
    // ORT resolves external data of a model given as bytes against the working directory, not the model's
    // folder: never hand it such a model.
    throw new UsageError(
      `tensor '${model.externalData[0].tensor}' is stored in external data ('${model.externalData[0].location}'), ` +
        'which smallscope does not run: save the model as one self-contained .onnx file',
    );
  }
  const [batchDim, seqDim] = plan.tokens.dims ?? [];
  const maxSeq = model.manifest?.arch.pos_embed ? model.manifest.arch.max_seq : null;
  // A foreign graph's limit, found in its structure (position table, sliced buffer): probes/onnx/context.ts.
  const context = findContext(model);
  // What the failure messages need, found now, so the runner does not keep the decoded model (its bytes).
  const hints = failureHints(model);
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel,
    logSeverityLevel: ORT_QUIET,
    ...(intraOpNumThreads ? { intraOpNumThreads } : {}),
  }).catch((e: unknown) => {
    throw loadFailure(e);
  });

  return {
    outputNames: session.outputNames,
    async run(tokens, fetch, inputs) {
      const batch = tokens.length;
      const seq = tokens[0]?.length ?? 0;
      if (batch === 0 || seq === 0) throw new UsageError('no tokens to run');
      if (typeof seqDim === 'number' && seq > seqDim) {
        throw new UsageError(
          `the sequence has ${seq} tokens; this model takes at most ${seqDim} (a fixed input dimension)`,
        );
      }
      if (typeof seqDim === 'number' && seq !== seqDim) {
        throw new UsageError(
          `the sequence has ${seq} tokens; this model takes exactly ${seqDim} (a fixed input dimension)`,
        );
      }
      if (maxSeq !== null && seq > maxSeq) {
        throw new UsageError(
          `the sequence has ${seq} tokens; this model's positional embedding covers ${maxSeq}: shorten the input (smallscope never cuts it silently)`,
        );
      }
      checkContext(seq, context);
      if (seq > MAX_SEQ) {
        throw new UsageError(
          `the sequence has ${seq} tokens; smallscope runs at most ${MAX_SEQ} (every attention map is tokens x tokens): shorten the input`,
        );
      }
      if (typeof batchDim === 'number' && batch !== batchDim) {
        throw new UsageError(
          `the batch has ${batch} rows; this model takes exactly ${batchDim} (a fixed input dimension)`,
        );
      }
      const feeds = Object.fromEntries(
        buildFeeds(plan, tokens).map((f) => [f.name, new ort.Tensor(f.type, f.data, f.dims)]),
      );
      for (const [name, t] of Object.entries(inputs ?? {}))
        feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(feeds, [...fetch]).catch((e: unknown) => {
        throw runFailure(e, hints, seq);
      });
      const result: Record<string, Tensor> = {};
      for (const name of fetch) {
        const t = out[name];
        const values = t.data;
        result[name] = {
          dims: [...t.dims],
          data:
            values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>, Number),
        };
      }
      return result;
    },
    async dispose() {
      await session.release();
    },
  };
}
