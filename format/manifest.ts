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

/** What every architecture records: its widths, and the longest input it accepts. */
const common = {
  vocab: z.number().int().positive(),
  d_model: z.number().int().positive(),
  n_heads: z.number().int().positive(),
  residual: z.boolean(),
  pos_embed: z.boolean(),
  /** Longest sequence the model accepts (only bounds a learned positional embedding; otherwise advisory). */
  max_seq: z.number().int().positive(),
};
const positive = z.number().int().positive();

/** Seed 002: embedding -> causal conv (k=3, future tap masked) -> attention -> head. */
export const ConvAttnSpec = z.object({
  kind: z.literal('conv-attn'),
  ...common,
  /** Conv kernel width (3 in the seed: taps t-1, t, t+1 with t+1 masked). */
  kernel: positive.optional(),
});
/** Seed 002: embedding -> two attentions -> head. */
export const AttnAttnSpec = z.object({ kind: z.literal('attn-attn'), ...common });
/** Seeds 000/001: embedding -> L dilated 'same' convs with attention where `attn` says. */
export const ConvStackSpec = z.object({
  kind: z.literal('conv-stack'),
  ...common,
  layers: positive,
  channels: positive,
  kernel: positive,
  dilation: z.array(positive),
  attn: z.array(AttnEntry),
  /** LayerNorm on the input of every conv layer but the last ('layer'), as the seed-000 models had. */
  norm: z.enum(['none', 'layer']).optional(),
});
/** Seed 001's LSTM baseline. */
export const LstmSpec = z.object({
  kind: z.literal('lstm'),
  ...common,
  layers: positive,
  channels: positive,
});
/**
 * Seed 001's Mamba baseline (mamba-minimal): L residual Mamba blocks of width d_model, inner width
 * expand * d_model, a depthwise causal conv of width d_conv, a selective scan with d_state states per channel.
 */
export const MambaSpec = z.object({
  kind: z.literal('mamba'),
  ...common,
  layers: positive,
  d_state: positive,
  expand: positive,
  d_conv: positive,
});
/** Seed 003: a conv net over a real-valued signal, with optional self-attention. */
export const ShapesConvSpec = z.object({
  kind: z.literal('shapes-conv'),
  ...common,
  layers: positive,
  channels: positive,
  kernel: positive,
  self_attn: z.boolean(),
  input: z.literal('signal'),
});
/** Seed 004: counting, with learned output queries attending to the input (and to each other). */
export const CountingSpec = z.object({
  kind: z.literal('counting'),
  ...common,
  out_steps: positive,
  self_attn: z.boolean(),
});

/** The architecture of a checkpoint: one variant per kind, each with exactly the fields it is built from. */
export const ArchSpec = z.discriminatedUnion('kind', [
  ConvAttnSpec,
  AttnAttnSpec,
  ConvStackSpec,
  LstmSpec,
  MambaSpec,
  ShapesConvSpec,
  CountingSpec,
]);
export type ArchSpec = z.infer<typeof ArchSpec>;
export type ArchKind = ArchSpec['kind'];
/** The spec of one kind of architecture. */
export type SpecOf<K extends ArchKind> = Extract<ArchSpec, { kind: K }>;

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
