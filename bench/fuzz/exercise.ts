/**
 * What bench/fuzz does with one (mutated) model file, in-process and without ONNX Runtime: every static probe
 * (inspect's report, embedding, convs, attention and its weights, filters S0-S7, OV circuits, the theoretical
 * receptive field, the cut at the embedding, the context) and the page's loader (findAttention on the fetched
 * bytes, the context, the pruned model it hands to onnxruntime-web). A UsageError is a refusal; anything else
 * thrown is a failure of smallscope.
 */
import { inspectModel } from '../../bin/commands/inspect';
import { findAttention } from '../../probes/attention';
import { UsageError } from '../../format/errors';
import { convStack } from '../../probes/field/field-probe';
import { theoreticalField } from '../../probes/field/theory';
import { filtersReport } from '../../probes/filters/conv-report';
import { attentionWeights } from '../../probes/onnx/attention-weights';
import { findContext, modelContext } from '../../probes/onnx/context';
import { findConvs } from '../../probes/onnx/conv-nodes';
import { cutAtEmbedding } from '../../probes/onnx/cut-embedding';
import { findEmbedding } from '../../probes/onnx/embedding';
import { indexGraph } from '../../probes/onnx/graph-walk';
import { decodeModel, type OnnxModel } from '../../format/onnx/model';
import { pruneToOutputs } from '../../probes/onnx/prune';
import { ovCopying } from '../../probes/scores/ov-circuits';

export type Outcome = 'ok' | 'refused';

/** Run one step; a UsageError counts as a refusal, anything else propagates. */
async function step(f: () => unknown): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (!e.message || e.message.includes('\n'))
      throw new Error(`a UsageError of more than one line: ${e.message}`);
    return false;
  }
}

/** The page's loader (src/lib/inspect/model-session.svelte.ts#open), up to creating the session. */
export async function pageLoader(bytes: Uint8Array): Promise<Outcome> {
  let ok = true;
  ok &&= await step(() => {
    const found = findAttention(bytes);
    void modelContext(found.model);
    return (
      pruneToOutputs(
        found.model,
        found.taps.map((t) => t.tensor),
      ) ?? found.bytes
    );
  });
  return ok ? 'ok' : 'refused';
}

export async function staticProbes(bytes: Uint8Array): Promise<Outcome> {
  let model: OnnxModel;
  try {
    model = decodeModel(bytes, { externalDataDir: '/models' });
  } catch (e) {
    if (e instanceof UsageError) return 'refused';
    throw e;
  }
  const results = [
    await step(() => inspectModel(model, { run: false })),
    await step(() => findEmbedding(model)),
    await step(() => findConvs(model)),
    await step(() => findContext(model)),
    await step(() => theoreticalField(convStack(model))),
    await step(() => {
      const found = findAttention(model);
      const g = indexGraph(model);
      for (const tap of found.taps) attentionWeights(g, tap);
      ovCopying(model, found.taps);
      filtersReport(model, found.taps);
    }),
    await step(() => cutAtEmbedding(model)),
  ];
  return results.every(Boolean) ? 'ok' : 'refused';
}
