import type { CheckpointSummary } from '$lib/checkpoint';

/**
 * The checkpoint a view opens when the URL names none. Inspect opens the model whose best head scores highest
 * on induction (the server scores every checkpoint on the standard probe input), so a folder with a
 * Conv-Attn and an Attn-Attn model opens on the one that shows an induction head, not on whichever name sorts
 * first; then the first with attention; then the first file.
 */
export function inspectDefault(checkpoints: CheckpointSummary[]): CheckpointSummary | undefined {
  let best: CheckpointSummary | undefined;
  for (const c of checkpoints) {
    const score = c.scores.induction?.value;
    if (score === undefined || !Number.isFinite(score)) continue;
    if (!best || score > best.scores.induction!.value) best = c;
  }
  return best ?? checkpoints.find((c) => c.attentionOutputs.length > 0) ?? checkpoints[0];
}
