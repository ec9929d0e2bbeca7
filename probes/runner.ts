import type { Tensor } from './tensor';

/**
 * What the probes need from a runtime: run a batch of token ids through a model and fetch named tensors.
 * Implemented by onnxruntime-node (runtime/node) and onnxruntime-web (runtime/web), so the same probe code
 * runs on the command line, in the server and in the page.
 */
export interface Runner {
  /** Graph outputs the runner can fetch (after any surgery that exposed intermediate tensors). */
  readonly outputNames: readonly string[];
  /**
   * tokens: [batch][pos] ids, every row the same length. Returns the requested outputs by name. `inputs`:
   * float32 tensors for inputs that surgery added to the graph (the causal probes' head gates,
   * probes/onnx/gate-surgery.ts), fed beside the token ids and the inputs filled by rule.
   */
  run(
    tokens: number[][],
    fetch: readonly string[],
    inputs?: Readonly<Record<string, Tensor>>,
  ): Promise<Record<string, Tensor>>;
  /**
   * Optional: run from embedding vectors [batch, pos, d] instead of ids (graphs cut after the embedding lookup).
   * `tokens` feeds what of the graph still reads the ids (usually only their shape, for a causal mask).
   */
  runEmbeddings?(
    embeddings: Tensor,
    fetch: readonly string[],
    tokens?: number[][],
  ): Promise<Record<string, Tensor>>;
  dispose?(): Promise<void>;
}
