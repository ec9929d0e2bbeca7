import { findAttention } from '../../probes/attention';
import { receptiveField, type FieldResult } from '../../probes/field/field-probe';
import { ablateAttention, fieldWithoutAttention } from '../../probes/field/without-attention';
import { parseObjective } from '../../probes/field/objective';
import { mulberry32 } from '../../probes/inputs/prng';
import { checkVocab } from '../../probes/inputs/tokens';
import { cutAtEmbedding } from '../../probes/onnx/cut-embedding';
import type { OnnxModel } from '../../format/onnx/model';
import { logitsOutput } from '../../probes/runner-capture';
import { createEmbeddingRunner } from '../../runtime/node/ort-embeddings';

/**
 * The receptive-field probe as `smallscope probe field` runs it (sum objective, finite differences), and for a
 * model with attention the same position with attention taken out (`--without-attention`), as the page shows.
 */
export async function fieldData(
  model: OnnxModel,
  tokens: number[][] | null,
  position?: number,
): Promise<{ result: FieldResult; describe: string; without: FieldResult | null }> {
  const cut = cutAtEmbedding(model);
  const rand = mulberry32(0);
  const rows = tokens ?? [Array.from({ length: 64 }, () => Math.floor(rand() * cut.vocab))];
  checkVocab(rows, cut.vocab);
  let attention = true;
  try {
    findAttention(model);
  } catch {
    attention = false;
  }
  const runner = await createEmbeddingRunner(cut);
  try {
    const opts = {
      output: logitsOutput(model, cut.vocab) ?? model.outputs[0].name,
      position,
      objective: parseObjective('sum'),
      eps: 1e-2,
    };
    const result = await receptiveField(model, cut.table, runner, rows, { ...opts, attention });
    return {
      result,
      without: attention ? await withoutAttentionData(model, rows, opts) : null,
      describe: tokens
        ? `${rows.length} row(s) of ${rows[0].length} tokens`
        : 'one random row of 64 tokens (seed 0)',
    };
  } finally {
    await runner.dispose?.();
  }
}

async function withoutAttentionData(
  model: OnnxModel,
  rows: number[][],
  opts: Parameters<typeof fieldWithoutAttention>[3],
): Promise<FieldResult | null> {
  let ablated;
  try {
    ablated = ablateAttention(model);
  } catch {
    return null; // only cross attention (nothing to take out), or an opset too old for the identity
  }
  const runner = await createEmbeddingRunner(ablated.cut);
  try {
    return await fieldWithoutAttention(ablated, runner, rows, opts);
  } finally {
    await runner.dispose?.();
  }
}

export { fieldProps } from '../../figures/props';
