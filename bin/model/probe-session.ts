import { findAttention, type AttentionDiscovery } from '../../probes/attention';
import { vocabSize } from '../../probes/onnx/embedding';
import type { Runner } from '../../probes/runner';
import { openModelFile } from './files';
import { createNodeRunner } from '../../runtime/node/ort-node';

/** A model opened for probing: decoded, its attention found and exposed, and a runner over the result. */
export interface ProbeSession extends AttentionDiscovery {
  runner: Runner;
  /** Ids must be below this (manifest or embedding rows); null when the graph does not say. */
  vocab: number | null;
}

export async function openProbeSession(path: string): Promise<ProbeSession> {
  const discovery = findAttention(openModelFile(path));
  const runner = await createNodeRunner(discovery.model, discovery.bytes);
  return { ...discovery, runner, vocab: vocabSize(discovery.model) };
}
