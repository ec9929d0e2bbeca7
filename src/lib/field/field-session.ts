import { findAttention } from '$probes/attention';
import { convStack, receptiveField, type FieldResult } from '$probes/field/field-probe';
import { theoreticalField, type TheoreticalField } from '$probes/field/theory';
import { cutAtEmbedding, type CutModel } from '$probes/onnx/cut-embedding';
import { decodeModel, type OnnxModel } from '$probes/onnx/model';
import { logitsOutput } from '$probes/runner-capture';
import type { Runner } from '$probes/runner';
import { loadCheckpointBytes } from '$lib/source/checkpoint-ref';
import { createWebEmbeddingRunner } from '$lib/runtime/web-embedding-runner';

export type { FieldResult, TheoreticalField };

/** Finite-difference step, as `smallscope probe field` uses by default. */
export const EPS = 1e-2;

/**
 * A checkpoint opened for the receptive-field view: the model cut after its embedding and run by
 * onnxruntime-web, so the probes' receptiveField (central finite differences, PROBE_DEFINITIONS §4) runs in
 * the page exactly as `smallscope probe field` runs it with onnxruntime-node.
 */
export interface FieldModel {
  model: OnnxModel;
  cut: CutModel;
  runner: Runner;
  output: string;
  attention: boolean;
  theory: TheoreticalField;
}

export async function openField(ckpt: string): Promise<FieldModel> {
  const model = decodeModel(await loadCheckpointBytes(ckpt));
  const cut = cutAtEmbedding(model);
  let attention = true;
  try {
    findAttention(model);
  } catch {
    attention = false;
  }
  const runner = await createWebEmbeddingRunner(cut);
  const output = logitsOutput(model, cut.vocab) ?? model.outputs[0].name;
  return { model, cut, runner, output, attention, theory: theoreticalField(convStack(model)) };
}

/** g(s) = |d y_t / d e_s| for y = the sum of the output at position t (the CLI's default objective). */
export function measureField(m: FieldModel, tokens: number[], position?: number): Promise<FieldResult> {
  return receptiveField(m.model, m.cut.table, m.runner, [tokens], {
    output: m.output,
    position,
    objective: { kind: 'sum' },
    eps: EPS,
    attention: m.attention,
  });
}
