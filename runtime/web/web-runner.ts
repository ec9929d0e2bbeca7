import { buildFeeds, planFeeds, type FeedPlan } from '../../format/feeds';
import type { Runner } from '$probes/runner';
import type { Tensor } from '$probes/tensor';
import { failureHints, runFailure, loadFailure } from '$probes/run-failure';
import type { OnnxModel } from '../../format/onnx/model';
import { loadOrt, ORT_QUIET } from './ort';
import { outputReserve } from './output-arrays';

export interface WebRunner extends Runner {
  /** Name of the [batch, pos] token input. */
  readonly inputName: string;
  /** What every input is fed (format/feeds.ts), the same rules as the command line. */
  readonly feeds: FeedPlan;
}

/**
 * The probes' Runner on onnxruntime-web: one InferenceSession per checkpoint, fed token ids (and the other
 * Hugging Face-style inputs by rule, given the graph's `inputs`), returning the fetched outputs as float32
 * arrays of their own (never views of the session's buffers).
 */
export async function createWebRunner(model: Uint8Array, graph: OnnxModel): Promise<WebRunner> {
  const plan = planFeeds(graph.inputs);
  // What the failure messages need, found now: the closure below must not keep `graph` (the file's bytes).
  const hints = failureHints(graph);
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    logSeverityLevel: ORT_QUIET,
  }).catch((e: unknown) => {
    throw loadFailure(e);
  });
  return {
    inputName: plan.tokens.name,
    feeds: plan,
    outputNames: session.outputNames,
    async run(
      tokens: number[][],
      fetch: readonly string[],
      inputs?: Readonly<Record<string, Tensor>>,
    ): Promise<Record<string, Tensor>> {
      const rows = tokens.length;
      const cols = rows > 0 ? tokens[0].length : 0;
      if (tokens.some((r) => r.length !== cols)) throw new Error('every token row must have the same length');
      const feeds = Object.fromEntries(
        buildFeeds(plan, tokens).map((f) => [f.name, new ort.Tensor(f.type, f.data, f.dims)]),
      );
      // The graph inputs surgery added (the causal probes' head gates): float32, fed as given.
      for (const [name, t] of Object.entries(inputs ?? {}))
        feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      // One line naming the node and the cause (a model's or an input's failure), never ORT's raw text.
      const out = await session.run(feeds, [...fetch]).catch((e: unknown) => {
        throw runFailure(e, hints, cols);
      });
      const result: Record<string, Tensor> = {};
      for (const name of fetch) {
        const t = out[name];
        // A CPU output is already a fresh array copied out of the wasm heap (dispose only drops the tensor's
        // reference to it), so it is kept as is; anything else is copied before dispose.
        const data =
          t.data instanceof Float32Array
            ? t.location === 'cpu'
              ? t.data
              : t.data.slice()
            : Float32Array.from(t.data as ArrayLike<number>);
        result[name] = { dims: [...t.dims], data };
        t.dispose();
      }
      return result;
    },
    async dispose() {
      // The buffers prepared for this session's outputs would otherwise stay (16 MB a head at 2048 tokens).
      outputReserve.release();
      await session.release();
    },
  };
}
