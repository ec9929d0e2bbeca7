import { findAttention } from '../../probes/attention';
import { receptiveField, type FieldResult } from '../../probes/field/field-probe';
import { parseObjective } from '../../probes/field/objective';
import { mulberry32 } from '../../probes/inputs/prng';
import { checkVocab } from '../../probes/inputs/tokens';
import { cutAtEmbedding } from '../../probes/onnx/cut-embedding';
import type { OnnxModel } from '../../probes/onnx/model';
import { logitsOutput } from '../../probes/runner-capture';
import { createEmbeddingRunner } from '../runtime/ort-embeddings';

/** The receptive-field probe as `smallscope probe field` runs it (sum objective, finite differences). */
export async function fieldData(
  model: OnnxModel,
  tokens: number[][] | null,
  position?: number,
): Promise<{ result: FieldResult; describe: string }> {
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
    const result = await receptiveField(model, cut.table, runner, rows, {
      output: logitsOutput(model, cut.vocab) ?? model.outputs[0].name,
      position,
      objective: parseObjective('sum'),
      eps: 1e-2,
      attention,
    });
    return {
      result,
      describe: tokens
        ? `${rows.length} row(s) of ${rows[0].length} tokens`
        : 'one random row of 64 tokens (seed 0)',
    };
  } finally {
    await runner.dispose?.();
  }
}

export function fieldProps(
  label: string,
  f: { result: FieldResult; describe: string },
  meta: { id?: string; title?: string; width?: 'single' | 'double' },
) {
  const r = f.result;
  const th = r.theoretical;
  return {
    meta: {
      id: meta.id ?? 'field',
      title: meta.title ?? `Receptive field of position ${r.position}`,
      caption: `${label}; ${f.describe}; y = ${r.objective} of '${r.output}' at t = ${r.position}, |∂y/∂e_s| by central differences (eps ${r.eps}); theoretical conv support ${th.back}..${th.forward} (radius ${th.radius}); ERF R50 ${r.erf.r50 ?? '–'}, R90 ${r.erf.r90 ?? '–'}.`,
      width: meta.width ?? 'single',
    },
    position: r.position,
    gradient: r.gradient,
    theoretical: {
      support: th.support,
      back: th.back,
      forward: th.forward,
      radius: th.radius,
      sparse: th.sparse,
    },
    erf: { r50: r.erf.r50, r90: r.erf.r90 },
    oneSided: r.one_sided,
  };
}
