import { encodeText } from '../../../format/text';
import { planFeeds } from '../../../format/feeds';
import { checkVocab } from '$probes/inputs/tokens';
import { decodeModel } from '../../../format/onnx/model';
import { vocabSize } from '$probes/onnx/embedding';
import { resolveTokenizer } from '../../../format/tokenizer/resolve';
import { noTokenizer, type TextTokenizer } from '../../../format/tokenizer/tokenizer';
import { attentionPatterns, findAttention, type AttentionTap } from '$probes/attention';
import { pruneToOutputs } from '$probes/onnx/prune';
import { modelContext } from '$probes/onnx/context';
import { createWebRunner, type WebRunner } from '../../../runtime/web/web-runner';
import { latestOnly } from '$lib/latest';
import { threadCount } from '../../../runtime/web/ort';
import { withTimeout } from '$lib/timeout';
import { loadCheckpointBytes, loadCheckpointTokenizer } from '$lib/source/checkpoint-ref';
import type { Manifest } from '../../../format/manifest';
import { detectPeriod } from '$probes/scores/period';
import type { Tensor } from '$probes/tensor';
import { attentionMaps, type AttentionMap } from './maps';
import { UsageError } from '../../../format/errors';
import { prepareCausal, type CausalModel } from '$probes/causal/causal-model';
import type { HeadRef } from '$probes/causal/heads';
import { runCausal, type GateHeads, type TokenLoss } from './causal-run';
import { crossNames, outputSelfNames, runScores, type RunScores } from './head-scores';

/** What a run is asked for: the text, and the heads to zero-ablate beside the clean run. */
interface Request {
  text: string;
  ablate: readonly HeadRef[];
}

/** The result of running one text through the model. */
export interface AttentionRun {
  text: string;
  tokens: number[];
  /** The tokenizer's piece of every token, as text (byte-level `Ġ` as `␣`): axes, strip, tooltips. */
  labels: string[];
  maps: AttentionMap[];
  /** [batch = 1, head, query, key] by canonical name, as the probes return them. */
  patterns: Record<string, Tensor>;
  /** Head scores of these tokens (probes/heads.ts); `heads` is empty while scoresPending. */
  scores: RunScores;
  /** With deferScores, the head scores are computed after the heatmaps are drawn (see withScores). */
  scoresPending: boolean;
  /** The next-token loss (and with heads ablated, theirs); null when the model cannot be gated (lossNote). */
  loss: TokenLoss | null;
  /** Wall time of session.run, ms. */
  ms: number;
  /** The text had more tokens than the model takes; the tail was cut. */
  truncated: boolean;
  /** Tokens of the whole text, before any cut. */
  textTokens: number;
}

/**
 * Longest input when the manifest does not say: the command line's bound (runtime/node/ort-node.ts MAX_SEQ), so
 * the page takes every text `smallscope probe` takes; a 4096 x 4096 map is 64 MB per head.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** The run with its head scores computed (the same run when it has them). */
export function withScores(run: AttentionRun): AttentionRun {
  if (!run.scoresPending) return run;
  const scores = runScores(run.patterns, run.tokens, crossNames(run.maps), outputSelfNames(run.maps));
  return { ...run, scores, scoresPending: false };
}

/** COEP blocking a worker makes ORT hang without an error; after this long the page says so. */
const CREATE_TIMEOUT_MS = 60_000;

/**
 * One checkpoint opened in the browser: fetches the .onnx file, creates the onnxruntime-web session once, and
 * computes attention for the latest text only (runs are serialized; see latestOnly). Reactive fields drive
 * the page's status line; results go to `onRun`.
 */
export class ModelSession {
  status: 'loading' | 'ready' | 'error' = $state('loading');
  message = $state('');
  threads = threadCount();
  /**
   * Longest input: the manifest's positional embedding length, else the limit found in a foreign graph's
   * structure (probes/onnx/context.ts: a position table, a sliced causal buffer), else DEFAULT_MAX_TOKENS.
   */
  maxTokens = DEFAULT_MAX_TOKENS;
  /** What sets maxTokens when the model does (`position table /wpe/Gather`), for the page's note. */
  contextFrom: string | null = null;
  /** The checkpoint's smallscope manifest (null for a foreign ONNX file), once open: figure captions name it. */
  manifest: Manifest | null = null;
  /**
   * How text becomes tokens (format/tokenizer/resolve.ts): the tokenizer.json dropped with the model or served
   * beside it, else the manifest's, else bytes for a vocabulary of 256; null: text is refused.
   */
  tokenizer: TextTokenizer | null = null;
  /** The model's vocabulary (manifest or embedding rows), null when the graph does not say. */
  vocab: number | null = null;
  /** Why the page shows no loss (the model could not be gated for the causal probes), once open. */
  lossNote: string | null = null;
  #runner: WebRunner | null = null;
  #taps: AttentionTap[] = [];
  /** The gated model the session runs (probes/causal), or null: the pruned pattern model is run instead. */
  #causal: CausalModel | null = null;
  #gateHeads: GateHeads | null = null;
  #closed = false;
  #pending: Request | null = null;
  /** The run in flight, if any: the session is released only after it; runs and tables queue behind it. */
  #inflight: Promise<unknown> = Promise.resolve();
  readonly #submit: (req: Request) => void;

  readonly #deferScores: boolean;
  /** Run the gated causal model (loss strip, ablation): the inspect page; compare draws attention only. */
  readonly #causalRuns: boolean;

  /**
   * `deferScores`: runs come with the period only and scoresPending, for a caller that draws the heatmaps first
   * and then calls withScores (the inspect page: the per-head scores, O(T^2) per detector pattern, are ~0.5 ms
   * at 256 tokens and ~20 ms at 2048, and waiting for them made the heatmaps miss a frame); otherwise every run
   * has them.
   */
  constructor(
    readonly ckpt: string,
    onRun: (run: AttentionRun) => void,
    { deferScores = false, causal = false }: { deferScores?: boolean; causal?: boolean } = {},
  ) {
    this.#deferScores = deferScores;
    this.#causalRuns = causal;
    this.#submit = latestOnly(
      (req: Request) => this.#compute(req),
      (_text, run) => {
        if (this.#closed) return;
        this.status = 'ready';
        this.message = '';
        onRun(run);
      },
      (_text, err) => {
        if (this.#closed) return;
        this.status = 'error';
        this.message = err instanceof Error ? err.message : String(err);
      },
    );
  }

  /** Fetch the model and create the session, then compute the text given meanwhile (if any). */
  async open(): Promise<void> {
    try {
      const [bytes, tokenizerText] = await Promise.all([
        loadCheckpointBytes(this.ckpt),
        loadCheckpointTokenizer(this.ckpt),
      ]);
      // The same discovery as the command line: our checkpoints' hook_pattern outputs, else every Softmax
      // over a square score tensor, exposed as extra graph outputs so ORT can return it.
      const decoded = decodeModel(bytes);
      planFeeds(decoded.inputs); // an input no rule fills is said first, as on the command line
      const found = findAttention(decoded);
      this.#taps = found.taps;
      this.manifest = found.model.manifest ?? null;
      this.vocab = vocabSize(found.model);
      this.tokenizer = resolveTokenizer({
        beside: tokenizerText === null ? null : { what: 'tokenizer.json', text: tokenizerText },
        manifest: this.manifest,
        vocab: this.vocab,
      });
      // The manifest's positional embedding, else what the graph's structure allows (probes/onnx/context.ts).
      const context = modelContext(found.model);
      if (context && context.max_tokens < this.maxTokens) {
        this.maxTokens = context.max_tokens;
        this.contextFrom = context.from;
      }
      // The gated model with its loss readouts (probes/causal/causal-model.ts): each run gives the patterns and
      // the next-token loss, and heads can be ablated. A model that cannot be gated runs only what the
      // patterns need (probes/onnx/prune.ts), without the loss strip.
      let model: Uint8Array | null = null;
      if (this.#causalRuns) {
        try {
          this.#causal = prepareCausal(found, this.vocab, { patterns: true });
          model = this.#causal.bytes;
        } catch (err) {
          // Any failure of the surgery costs the loss strip only, never the attention view.
          this.lossNote = err instanceof Error ? err.message : String(err);
        }
      }
      model ??=
        pruneToOutputs(
          found.model,
          found.taps.map((t) => t.tensor),
        ) ?? found.bytes;
      const runner = await withTimeout(
        createWebRunner(model, found.model),
        CREATE_TIMEOUT_MS,
        `onnxruntime-web did not start within ${CREATE_TIMEOUT_MS / 1000} s; is the page cross-origin ` +
          `isolated (COOP/COEP headers on every response)?`,
      );
      if (this.#closed) return void runner.dispose?.();
      this.#runner = runner;
      if (this.#pending !== null) this.#submit(this.#pending);
    } catch (err) {
      if (this.#closed) return;
      this.status = 'error';
      this.message = err instanceof Error ? err.message : String(err);
    }
  }

  /** Ask for the attention and loss of `text` (with `ablate` zeroed); earlier requests still waiting are dropped. */
  compute(text: string, ablate: readonly HeadRef[] = []): void {
    this.#pending = { text, ablate };
    if (this.#runner) this.#submit(this.#pending);
  }

  /**
   * Run a probe on the session's runner and gated model after the run in flight (one ORT session runs one
   * thing at a time); keystrokes meanwhile wait behind it. Null when the model could not be gated.
   */
  async probe<T>(job: (runner: WebRunner, model: CausalModel) => Promise<T>): Promise<T> {
    const runner = this.#runner;
    const model = this.#causal;
    if (!runner || !model) throw new UsageError(this.lossNote ?? 'the model is not loaded');
    return this.#exclusive(() => job(runner, model));
  }

  /** Chain `job` after everything queued on the session. */
  #exclusive<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#inflight.then(job);
    this.#inflight = next.catch(() => {});
    return next;
  }

  close(): void {
    this.#closed = true;
    // A run may still be in flight on this session; release it once that run is over.
    const runner = this.#runner;
    this.#runner = null;
    if (runner) void this.#inflight.finally(() => runner.dispose?.().catch(() => {}));
  }

  async #compute({ text, ablate }: Request): Promise<AttentionRun> {
    const runner = this.#runner;
    if (!runner) throw new Error('the model is not loaded');
    if (!this.tokenizer) throw noTokenizer(this.vocab);
    const tokenizer = this.tokenizer;
    const all = tokenizer.encode(text);
    const tokens = all.slice(0, this.maxTokens);
    checkVocab([tokens], this.vocab ?? Number.MAX_SAFE_INTEGER);
    const causal = this.#causal;
    let loss: TokenLoss | null = null;
    const t0 = performance.now();
    const patterns = await this.#exclusive(async () => {
      if (!causal) return attentionPatterns(runner, this.#taps, [tokens]);
      let r = await runCausal(runner, causal, this.#taps, tokens, ablate, this.#gateHeads);
      // The first run learns how many heads each gate holds; ablation (a URL with heads) starts on the second.
      if (!this.#gateHeads && ablate.length > 0)
        r = await runCausal(runner, causal, this.#taps, tokens, ablate, r.gateHeads);
      this.#gateHeads = r.gateHeads;
      loss = r.loss;
      return r.patterns;
    });
    const ms = performance.now() - t0;
    const maps = attentionMaps(patterns);
    return {
      text,
      tokens,
      labels: tokens.map((id) => tokenizer.label(id)),
      maps,
      patterns: patterns.patterns,
      scores: this.#deferScores
        ? { period: detectPeriod(tokens), heads: [], repeat: null }
        : runScores(patterns.patterns, tokens, crossNames(maps), outputSelfNames(maps)),
      scoresPending: this.#deferScores,
      loss,
      ms,
      truncated: all.length > tokens.length,
      textTokens: all.length,
    };
  }
}
