import { createEmbeddingRunner } from '../../runtime/node/ort-embeddings';
import { graphProfiler, openEmbeddingGraph } from '../../bin/model/graph-exact';
import { receptiveField, type FieldResult } from '../../probes/field/field-probe';
import type { Objective } from '../../probes/field/objective';
import { cutAtEmbedding } from '../../probes/onnx/cut-embedding';
import { decodeModel } from '../../format/onnx/model';
import { initParams, disposeParams } from '../../training/models/params';
import type { ArchSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { exportBytes } from './export';

/** A smallscope checkpoint built in the test: seeded PyTorch-default init, exported by training/export. */
export async function checkpoint(spec: ArchSpec, seed = 7): Promise<Uint8Array> {
  const params = initParams(spec, new Rng(seed));
  try {
    return await exportBytes(spec, params);
  } finally {
    disposeParams(params);
  }
}

export function randomRows(rows: number, T: number, vocab: number, seed = 3): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: T }, () => rng.int(vocab)));
}

/** probe field on the same rows twice: exact (the graph differentiated in tfjs) and central finite differences (ONNX Runtime). */
export async function bothFields(
  bytes: Uint8Array,
  rows: number[][],
  position: number,
  objective: Objective,
  { attention = true, eps = 1e-2 } = {},
): Promise<{ exact: FieldResult; fd: FieldResult }> {
  const model = decodeModel(bytes);
  const cut = cutAtEmbedding(model);
  const runner = await createEmbeddingRunner(cut);
  const graph = await openEmbeddingGraph(model, cut, 'logits', { runner, rows });
  if ('reason' in graph) throw new Error(graph.reason);
  const profiler = graphProfiler(graph);
  const opts = { output: 'logits', position, objective, eps, attention, perturbAll: true };
  try {
    const exact = await receptiveField(model, cut.table, runner, rows, { ...opts, profiler });
    const fd = await receptiveField(model, cut.table, runner, rows, opts);
    return { exact, fd };
  } finally {
    profiler.dispose();
    await runner.dispose?.();
  }
}
