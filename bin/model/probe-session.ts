import { findAttention, type AttentionDiscovery } from '../../probes/attention';
import { planFeeds } from '../../format/feeds';
import { vocabSize } from '../../probes/onnx/embedding';
import type { Runner } from '../../probes/runner';
import type { TextTokenizer } from '../../format/tokenizer/tokenizer';
import { openModelFile, type TextContext } from './files';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { modelTokenizer, type TokenizerFlags } from './tokenizer-files';

/** A model opened for probing: decoded, its attention found and exposed, and a runner over the result. */
export interface ProbeSession extends AttentionDiscovery {
  runner: Runner;
  /** Ids must be below this (manifest or embedding rows); null when the graph does not say. */
  vocab: number | null;
  /** The model's tokenizer (tokenizer-files.ts), null when it has none (text refused). */
  tokenizer: TextTokenizer | null;
  /** What tokensFromFlags needs to read --text. */
  text: TextContext;
}

export async function openProbeSession(path: string, flags: TokenizerFlags = {}): Promise<ProbeSession> {
  const model = openModelFile(path);
  planFeeds(model.inputs); // an input no rule fills is the first thing to say, before any search
  const discovery = findAttention(model);
  const vocab = vocabSize(discovery.model);
  const tokenizer = modelTokenizer(path, discovery.model, flags, vocab);
  const runner = await createNodeRunner(discovery.model, discovery.bytes);
  const text = { tokenizer, vocab, specialTokens: flags.specialTokens };
  return { ...discovery, runner, vocab, tokenizer, text };
}
