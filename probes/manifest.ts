import { z } from 'zod';

/**
 * The checkpoint manifest: JSON stored in the ONNX file's metadata_props under the key `smallscope`, so a
 * checkpoint is one self-describing file. Foreign ONNX files (PyTorch exports) have none; the probes then find
 * what they need in the graph itself.
 */
export const MANIFEST_KEY = 'smallscope';
export const MANIFEST_FORMAT = 1;

export const ArchSpec = z.object({
  /** conv-attn: embedding -> causal conv (k=3, future tap masked) -> attention -> head; attn-attn: two attentions. */
  kind: z.enum(['conv-attn', 'attn-attn']),
  vocab: z.number().int().positive(),
  d_model: z.number().int().positive(),
  n_heads: z.number().int().positive(),
  /** Conv kernel width for conv-attn (3 in the seed: taps t-1, t, t+1 with t+1 masked). */
  kernel: z.number().int().positive().optional(),
  residual: z.boolean(),
  pos_embed: z.boolean(),
  /** Longest sequence the model accepts (only bounds a learned positional embedding; otherwise advisory). */
  max_seq: z.number().int().positive(),
});
export type ArchSpec = z.infer<typeof ArchSpec>;

export const HistoryPoint = z.object({
  step: z.number().int(),
  loss: z.number().optional(),
  lr: z.number().optional(),
  val_loss: z.number().optional(),
  val_acc: z.number().optional(),
  samples_per_s: z.number().optional(),
});
export type HistoryPoint = z.infer<typeof HistoryPoint>;

export const TapStats = z.object({
  offset: z.number().int(),
  max: z.number(),
  min: z.number(),
  q75: z.number(),
  q90: z.number(),
  mean: z.number(),
  std: z.number(),
});

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string(),
  arch: ArchSpec,
  tokenizer: z.literal('bytes'),
  task: z.object({ name: z.string() }).passthrough(),
  training: z
    .object({
      seed: z.number().int(),
      steps: z.number().int(),
      batch: z.number().int(),
      seq_len: z.number().int(),
      lr: z.number(),
      warmup: z.number(),
      weight_decay: z.number(),
      backend: z.string(),
    })
    .passthrough(),
  step: z.number().int(),
  params: z.number().int(),
  history: z.array(HistoryPoint),
  /** Statistics of the raw (unmasked) conv weights, per tap; the graph itself holds only the masked weights. */
  conv_raw_stats: z.record(z.string(), z.array(TapStats)).optional(),
  created: z.string(),
});
export type Manifest = z.infer<typeof Manifest>;

/** Parse a manifest, with a one-line reason on failure. */
export function parseManifest(json: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('the smallscope manifest in this file is not valid JSON');
  }
  const r = Manifest.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`the smallscope manifest is invalid at ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

/** Canonical names of graph outputs, after TransformerLens hook points. */
export const hookName = {
  pattern: (layer: number) => `blocks.${layer}.attn.hook_pattern`,
  convOut: (layer: number) => `blocks.${layer}.hook_conv_out`,
};
export const PATTERN_RE = /^blocks\.(\d+)\.attn\.hook_pattern$/;
