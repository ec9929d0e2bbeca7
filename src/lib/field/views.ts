/**
 * Which profiles the receptive-field view shows for a model with attention (URL `attn`): both, or one of
 * them. Its own module so the server load reads it without pulling in onnxruntime-web.
 */
export const ATTENTION_VIEWS = ['both', 'with', 'without'] as const;
export type AttentionView = (typeof ATTENTION_VIEWS)[number];
