import type { RunPoint } from './runs';
/**
 * What the library page and /api/checkpoints tell about one checkpoint file. Shared by the server (which reads
 * the ONNX file) and the pages (which only display it).
 */
export interface CheckpointSummary {
  /** File name, unique across the configured folders; also its id in URLs. */
  name: string;
  /** Size of the .onnx file in bytes. */
  bytes: number;
  /** Last modification, ISO 8601. */
  modified: string;
  /** Who wrote the file (ONNX producer_name), e.g. 'smallscope' or 'pytorch'. */
  producer: string;
  /** From the smallscope manifest when present; foreign ONNX files have none. */
  manifest: {
    name: string;
    arch: string;
    task: string;
    step: number;
    params: number;
    nHeads: number;
  } | null;
  /**
   * Longest input the model accepts and what sets it (probes/onnx/context.ts: the manifest's learned positional
   * embedding, else the graph's position table, causal-mask buffer or fixed input dims); null: unbounded.
   */
  context: { max_tokens: number; from: string } | null;
  /** Why the manifest could not be read, when the file has one that is broken. */
  manifestError?: string;
  /** Parameter count: the manifest's, else the number of initializer values in the graph. */
  params: number;
  /** Attention the probes find (findAttention): its graph output or Softmax tensor name, in layer order. */
  attentionOutputs: string[];
  /** Best head scores on the standard probe input (src/lib/standard-input.ts), computed by the server. */
  scores: BestScores;
  /** Training history from the manifest (empty for foreign files). */
  history: RunPoint[];
  /** Why the file could not be read at all (not ONNX, truncated); the other fields are then empty. */
  error?: string;
}

/** One head's score and where it is. */
export interface HeadBest {
  value: number;
  layer: number;
  head: number;
}

export interface BestScores {
  induction: HeadBest | null;
  previous_token: HeadBest | null;
  /** Why no score could be computed (no attention found, the model did not run). */
  error?: string;
}
