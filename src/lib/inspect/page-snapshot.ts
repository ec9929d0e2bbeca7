// No imports: the browser tests type-check against this file without the app's path aliases.

/**
 * What the inspect page drew last, as plain numbers: the page puts it on window.__smallscope after every
 * run so an end-to-end test can compare the pixels and data attributes with the model's output.
 */
export interface PageSnapshot {
  ckpt: string;
  text: string;
  tokens: number[];
  /** canonical name -> [head][query][key] for the first (only) sequence. */
  patterns: Record<string, number[][][]>;
  /** Graph output name of each canonical name (differs for foreign exports, e.g. 'attn.0'). */
  outputs: Record<string, string>;
  /** Counts completed runs, so a test can wait for the next one. */
  runs: number;
  /** The next-token loss drawn in the loss strip ([t]: predicting token t + 1, nats); null without one. */
  loss: { clean: number[]; ablated: number[] | null; heads: string[] } | null;
  /** Outputs of 1 MB or more that onnxruntime-web wrote into memory prepared after an earlier run, and into
   *  new arrays, on this page so far (runtime/web/output-arrays.ts). */
  outputArrays: { prepared: number; fresh: number };
}
