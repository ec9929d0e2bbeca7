import { findAttention, type AttentionDiscovery } from '../../probes/attention';
import { planFeeds, type FeedPlan } from '../../format/feeds';
import { vocabSize } from '../../probes/onnx/embedding';
import type { Runner } from '../../probes/runner';
import type { TextTokenizer } from '../../format/tokenizer/tokenizer';
import { openModelFile, type TextContext } from './files';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { modelTokenizer, type TokenizerFlags } from './tokenizer-files';

/** A model opened for probing: decoded, its attention found and exposed, its inputs planned, its tokenizer. */
export interface ModelDiscovery extends AttentionDiscovery {
  feeds: FeedPlan;
  /** Ids must be below this (manifest or embedding rows); null when the graph does not say. */
  vocab: number | null;
  /** The model's tokenizer (tokenizer-files.ts), null when it has none (text refused). */
  tokenizer: TextTokenizer | null;
  /** What tokensFromFlags needs to read --text. */
  text: TextContext;
}

/** ... and a runner over the model with its attention exposed. */
export interface ProbeSession extends ModelDiscovery {
  runner: Runner;
}

export function discoverModel(path: string, flags: TokenizerFlags = {}): ModelDiscovery {
  const model = openModelFile(path);
  const feeds = planFeeds(model.inputs); // an input no rule fills is the first thing to say, before any search
  const discovery = findAttention(model);
  const vocab = vocabSize(discovery.model);
  const tokenizer = modelTokenizer(path, discovery.model, flags, vocab);
  const text = { tokenizer, vocab, specialTokens: flags.specialTokens };
  return { ...discovery, feeds, vocab, tokenizer, text };
}

export async function openProbeSession(path: string, flags: TokenizerFlags = {}): Promise<ProbeSession> {
  const found = discoverModel(path, flags);
  const runner = await createNodeRunner(found.model, found.bytes);
  return { ...found, runner };
}
