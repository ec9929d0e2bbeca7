import { prepareCausal, type CausalModel } from '../../probes/causal/causal-model';
import type { Runner } from '../../probes/runner';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { discoverModel, type ModelDiscovery } from './probe-session';
import type { TokenizerFlags } from './tokenizer-files';

/** A model opened for the causal probes: its heads gated (probes/causal), run by onnxruntime-node. */
export interface CausalSession extends ModelDiscovery {
  causal: CausalModel;
  runner: Runner;
  /** Rows one run may take: the model's batch when the graph fixes it, else unbounded (undefined). */
  maxRows: number | undefined;
}

export async function openCausalSession(
  path: string,
  flags: TokenizerFlags,
  opts: { dla?: boolean } = {},
): Promise<CausalSession> {
  const found = discoverModel(path, flags);
  const causal = prepareCausal(found, found.vocab, opts);
  // The runner plans its feeds from the original inputs; the gates' inputs are fed by the causal probes.
  const runner = await createNodeRunner(found.model, causal.bytes);
  const batch = found.feeds.tokens.dims?.[0];
  return { ...found, causal, runner, maxRows: typeof batch === 'number' ? batch : undefined };
}
