import type { AttentionTap } from '$probes/attention';

/**
 * The graph name to show for an attention tap: the exporter's own output name when the Softmax result is
 * also a graph output (PyTorch's `attn.0`), else the tensor itself (`/m/Softmax_output_0`).
 */
export function tapLabel(tap: AttentionTap): string {
  return tap.aliases[0] ?? tap.tensor;
}
