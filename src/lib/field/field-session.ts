import { findAttention } from '$probes/attention';
import { convStack, receptiveField, type FieldResult } from '$probes/field/field-probe';
import { theoreticalField, type TheoreticalField } from '$probes/field/theory';
import { ablateAttention, fieldWithoutAttention, type AblatedModel } from '$probes/field/without-attention';
import { cutAtEmbedding, type CutModel } from '$probes/onnx/cut-embedding';
import { decodeModel, type OnnxModel } from '../../../format/onnx/model';
import { logitsOutput } from '$probes/runner-capture';
import type { Runner } from '$probes/runner';
import { resolveTokenizer } from '../../../format/tokenizer/resolve';
import type { TextTokenizer } from '../../../format/tokenizer/tokenizer';
import { loadCheckpointBytes, loadCheckpointTokenizer } from '$lib/source/checkpoint-ref';
import { createWebEmbeddingRunner } from '../../../runtime/web/web-embedding-runner';
import { ATTENTION_VIEWS, type AttentionView } from './views';

export type { FieldResult, TheoreticalField };

/** Finite-difference step, as `smallscope probe field` uses by default. */
export const EPS = 1e-2;

export { ATTENTION_VIEWS, type AttentionView };

/**
 * A checkpoint opened for the receptive-field view: the model cut after its embedding and run by
 * onnxruntime-web, so the probes' receptiveField (central finite differences, PROBE_DEFINITIONS §4) runs in
 * the page exactly as `smallscope probe field` runs it with onnxruntime-node. For a model with attention, the
 * same model with attention taken out (probes/field/without-attention.ts) gets its own session, opened once.
 */
export interface FieldModel {
  model: OnnxModel;
  cut: CutModel;
  runner: Runner;
  output: string;
  attention: boolean;
  theory: TheoreticalField;
  /** null without attention, or when it cannot be taken out (`ablationError` says why) */
  ablated: { model: AblatedModel; runner: Runner } | null;
  ablationError: string | null;
  /** How text becomes tokens (the inspect view's resolution); null: text is refused. */
  tokenizer: TextTokenizer | null;
}

export async function openField(ckpt: string): Promise<FieldModel> {
  const [bytes, tokenizerText] = await Promise.all([
    loadCheckpointBytes(ckpt),
    loadCheckpointTokenizer(ckpt),
  ]);
  const model = decodeModel(bytes);
  const cut = cutAtEmbedding(model);
  const tokenizer = resolveTokenizer({
    beside: tokenizerText === null ? null : { what: 'tokenizer.json', text: tokenizerText },
    manifest: model.manifest,
    vocab: cut.vocab,
  });
  let attention = true;
  try {
    findAttention(model);
  } catch {
    attention = false;
  }
  const runner = await createWebEmbeddingRunner(cut);
  const output = logitsOutput(model, cut.vocab) ?? model.outputs[0].name;
  let ablated: FieldModel['ablated'] = null;
  let ablationError: string | null = null;
  if (attention) {
    try {
      const a = ablateAttention(model);
      ablated = { model: a, runner: await createWebEmbeddingRunner(a.cut) };
    } catch (err) {
      ablationError = err instanceof Error ? err.message : String(err);
    }
  }
  const theory = theoreticalField(convStack(model, output));
  return { model, cut, runner, output, attention, theory, ablated, ablationError, tokenizer };
}

export async function closeField(m: FieldModel): Promise<void> {
  await m.runner.dispose?.();
  await m.ablated?.runner.dispose?.();
}

/** The profile of the model as it is (`result`) and with attention taken out (`without`), as `view` asks. */
export interface FieldPair {
  result: FieldResult | null;
  without: FieldResult | null;
}

/** g(s) = |d y_t / d e_s| for y = the sum of the output at position t (the CLI's default objective). */
export async function measureField(
  m: FieldModel,
  tokens: number[],
  position: number | undefined,
  view: AttentionView,
): Promise<FieldPair> {
  const opts = { output: m.output, position, objective: { kind: 'sum' } as const, eps: EPS };
  const a = m.ablated;
  const wantWith = view !== 'without' || !a;
  const result = wantWith
    ? await receptiveField(m.model, m.cut.table, m.runner, [tokens], { ...opts, attention: m.attention })
    : null;
  const without =
    a && view !== 'with' ? await fieldWithoutAttention(a.model, a.runner, [tokens], opts) : null;
  return { result, without };
}
