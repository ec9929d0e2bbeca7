import type { ArchSpec } from '../../training/models/spec';

/**
 * A tiny seed-004 counting model (4 learned output queries over 10 input positions, d_model 16, one head), with
 * or without self-attention over the output steps: the tests' common case of non-square attention.
 */
export const countingSpec = (selfAttn = false): ArchSpec => ({
  kind: 'counting',
  vocab: 256,
  d_model: 16,
  n_heads: 1,
  residual: false,
  pos_embed: false,
  max_seq: 10,
  out_steps: 4,
  self_attn: selfAttn,
});
