import { z } from 'zod';

/**
 * The checkpoint manifest: JSON stored in the ONNX file's metadata_props under the key `smallscope`, so a
 * checkpoint is one self-describing file. Foreign ONNX files (PyTorch exports) have none; the probes then find
 * what they need in the graph itself.
 */
export const MANIFEST_KEY = 'smallscope';
export const MANIFEST_FORMAT = 1;

/** One entry of a conv stack's attention list: 0 = none, 'T' = the seed's single QK head, n = n heads. */
export const AttnEntry = z.union([z.number().int().nonnegative(), z.literal('T')]);
export type AttnEntry = z.infer<typeof AttnEntry>;

export const ArchSpec = z.object({
  /**
   * conv-attn: embedding -> causal conv (k=3, future tap masked) -> attention -> head; attn-attn: two
   * attentions (seed 002). conv-stack: embedding -> L dilated 'same' convs with attention where `attn` says
   * (seeds 000/001). The other kinds are the seed 001 / 003 / 004 models (see training/models/).
   */
  kind: z.enum(['conv-attn', 'attn-attn', 'conv-stack', 'lstm', 'shapes-conv', 'counting']),
  vocab: z.number().int().positive(),
  d_model: z.number().int().positive(),
  n_heads: z.number().int().positive(),
  /** Conv kernel width for conv-attn (3 in the seed: taps t-1, t, t+1 with t+1 masked). */
  kernel: z.number().int().positive().optional(),
  residual: z.boolean(),
  pos_embed: z.boolean(),
  /** Longest sequence the model accepts (only bounds a learned positional embedding; otherwise advisory). */
  max_seq: z.number().int().positive(),
  /** Seed-style conv-stack fields (absent on seed-002 checkpoints, which keep parsing). */
  layers: z.number().int().positive().optional(),
  channels: z.number().int().positive().optional(),
  dilation: z.array(z.number().int().positive()).optional(),
  attn: z.array(AttnEntry).optional(),
  /** LayerNorm on the input of every conv layer but the last ('layer'), as the seed-000 models had. */
  norm: z.enum(['none', 'layer']).optional(),
  /** What the model reads: byte tokens (default) or a real-valued signal (shapes). */
  input: z.enum(['tokens', 'signal']).optional(),
  /** Counting model: number of learned output queries, and self-attention over them. */
  out_steps: z.number().int().positive().optional(),
  self_attn: z.boolean().optional(),
});
export type ArchSpec = z.infer<typeof ArchSpec>;

export const HistoryPoint = z.object({
  step: z.number().int(),
  loss: z.number().optional(),
  lr: z.number().optional(),
  val_loss: z.number().optional(),
  val_acc: z.number().optional(),
  samples_per_s: z.number().optional(),
  /** masked tasks: fractions of wrong answer characters / of answers with any wrong character */
  mask_error: z.number().optional(),
  sample_error: z.number().optional(),
  elapsed_s: z.number().optional(),
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
  /**
   * `bytes` (token = one UTF-8 byte, the seeds' vocabulary of 256), or a Hugging Face tokenizer.json embedded
   * whole (`smallscope train --tokenizer FILE`), so the checkpoint stays self-contained.
   */
  tokenizer: z.union([
    z.literal('bytes'),
    z.object({ type: z.literal('huggingface'), json: z.record(z.string(), z.unknown()) }),
  ]),
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
