import { readFile } from 'node:fs/promises';
import { findAttention } from '$probes/attention';
import { modelContext } from '$probes/onnx/context';
import { decodeModel, toInt, type OnnxModel } from '../../../format/onnx/model';
import { tapLabel } from '$lib/attention-label';
import type { CheckpointSummary } from '$lib/checkpoint';
import { runPoint } from '$lib/runs';
import type { CheckpointFile } from './checkpoints';
import { bestScores } from './head-scores';

/** Values stored in the graph's initializers: the parameter count of a foreign export. */
function initializerValues(model: OnnxModel): number {
  let total = 0;
  for (const t of model.initializers.values())
    total += (t.dims ?? []).reduce<number>((n, d) => n * toInt(d), 1);
  return total;
}

/** Graph names of the attention the probes find (the same discovery the page and the CLI use). */
function attentionNames(model: OnnxModel): string[] {
  try {
    return findAttention(model).taps.map(tapLabel);
  } catch {
    return []; // no attention: the library says 0, the inspect page says why
  }
}

/** The model's context, or null; a graph too broken to say is unbounded here (inspect says why). */
function boundedContext(model: OnnxModel): CheckpointSummary['context'] {
  try {
    return modelContext(model);
  } catch {
    return null;
  }
}

/** Read what the library shows about one checkpoint: the manifest when present, else what the graph says. */
export async function describeCheckpoint(file: CheckpointFile): Promise<CheckpointSummary> {
  const base = { name: file.name, bytes: file.bytes, modified: file.modified.toISOString() };
  let model: OnnxModel;
  try {
    model = decodeModel(new Uint8Array(await readFile(file.path)));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const none = { induction: null, previous_token: null };
    return {
      ...base,
      producer: '',
      manifest: null,
      params: 0,
      context: null,
      attentionOutputs: [],
      scores: none,
      history: [],
      error: why,
    };
  }
  const m = model.manifest;
  return {
    ...base,
    producer: model.producer,
    manifest: m && {
      name: m.name,
      arch: m.arch.kind,
      task: m.task.name,
      step: m.step,
      params: m.params,
      nHeads: m.arch.n_heads,
    },
    context: boundedContext(model),
    ...(model.manifestError ? { manifestError: model.manifestError } : {}),
    params: m ? m.params : initializerValues(model),
    attentionOutputs: attentionNames(model),
    scores: await bestScores(model),
    history: (m?.history ?? []).map(runPoint),
  };
}

const cache = new Map<string, { key: string; summary: CheckpointSummary }>();

/** describeCheckpoint, remembered until the file changes (the library page lists every file on each visit). */
export async function describeCached(file: CheckpointFile): Promise<CheckpointSummary> {
  const key = `${file.bytes}:${file.modified.getTime()}`;
  const hit = cache.get(file.path);
  if (hit && hit.key === key && hit.summary.name === file.name) return hit.summary;
  const summary = await describeCheckpoint(file);
  cache.set(file.path, { key, summary });
  return summary;
}
