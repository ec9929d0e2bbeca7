import { isCross, isOutputSelf, type AttentionDiscovery } from '../attention';
import { UsageError } from '../../format/errors';
import { findHeadSites, type SiteSearch } from '../onnx/head-sites';
import { insertGates, type Gate } from '../onnx/gate-surgery';
import { logitsOutput } from '../runner-capture';
import { tokenInputName } from '../../format/feeds';
import { appendReadouts, type Readouts } from '../onnx/readout-surgery';
import { planDla, type DlaPlan } from './dla';

/**
 * A model made ready for the causal probes (ablation, patching, direct logit attribution): every head site
 * gated (probes/onnx/gate-surgery.ts), the logits found. A runner over `bytes` (onnxruntime-node or -web,
 * planned from the original model's inputs) runs it; the gate inputs are fed by gate-inputs.ts.
 */
export interface CausalModel {
  bytes: Uint8Array;
  gates: Gate[];
  /** The graph output holding the next-token logits [batch, pos, vocab]. */
  logits: string;
  /** Outputs computed from them in the graph: the next token's logit and log-probability, the last logits. */
  readouts: Omit<Readouts, 'bytes'>;
  skipped: SiteSearch['skipped'];
  /** Said once per model: pattern sites, layers left out. */
  notes: string[];
  /** The heads' direct paths to the logits, when asked for (their tensors are exposed in `bytes`). */
  dla: DlaPlan | null;
}

export function prepareCausal(
  discovery: AttentionDiscovery,
  vocab: number | null,
  { dla = false, patterns = false }: { dla?: boolean; patterns?: boolean } = {},
): CausalModel {
  const model = discovery.model;
  // Slice with starts/ends as inputs, GatherElements (readout-surgery.ts)
  if (model.opset < 11)
    throw new UsageError(
      `the causal probes edit and read the graph with ops of opset 11 or later; the model has opset ${model.opset}`,
    );
  // Seed 004's counting model answers in output steps (cross attention from learned queries): its logits are
  // [batch, output step, class], not next-token predictions over the input, so there is no next-token loss.
  if (discovery.taps.some((t) => isCross(t) || isOutputSelf(t)))
    throw new UsageError(
      'the causal probes measure next-token prediction over the input tokens; this model answers in output steps (encoder-decoder attention)',
    );
  const tokens = tokenInputName(model.inputs);
  if (!tokens)
    throw new UsageError('the model has no token input (input_ids or tokens) to read the next tokens from');
  const logits = logitsOutput(model, vocab);
  if (!logits)
    throw new UsageError(
      'no logits output found (an output named logits, or the only one whose last axis is the vocabulary): the causal probes measure next-token logits',
    );
  const declared = model.outputs.find((o) => o.name === logits)?.elemType;
  if (declared && declared !== 'float')
    throw new UsageError(`the logits are ${declared}; the causal probes edit float32 models only`);
  const found = findHeadSites(model, discovery.taps, logits);
  if (found.sites.length === 0) {
    const why = found.skipped.map((s) => `${s.tap}: ${s.reason}`).join('; ');
    throw new UsageError(`no attention head can be edited${why ? ` (${why})` : ''}`);
  }
  // The file's own bytes, not discovery's with every pattern exposed: the probes read z (the gates expose it)
  // and a graph output is a buffer the runtime cannot reuse.
  // `patterns`: a caller that draws them too (the inspect page) gets discovery's bytes, every pattern exposed.
  const gated = insertGates(model, patterns ? discovery.bytes : model.bytes, found.sites);
  const outputs = [
    ...model.outputs.map((o) => o.name),
    ...(patterns ? discovery.taps.map((t) => t.tensor) : []),
    ...gated.gates.map((g) => g.raw),
  ];
  const plan = dla ? planDla(model, gated.gates, logits) : null;
  const have = new Set(outputs);
  const expose = [...new Set(plan?.expose ?? [])].filter((n) => !have.has(n));
  const { bytes, ...readouts } = appendReadouts(model, gated.bytes, tokens, logits, expose);
  const notes = [
    ...found.sites.flatMap((s) => (s.note ? [s.note] : [])),
    ...found.skipped.map((s) => `${s.tap} left out: ${s.reason}`),
  ];
  return { bytes, gates: gated.gates, logits, readouts, skipped: found.skipped, notes, dla: plan };
}
