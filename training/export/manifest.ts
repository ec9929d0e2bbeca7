import { MANIFEST_FORMAT, Manifest, type HistoryPoint } from '../../format/manifest';
import type { ArchSpec } from '../models/spec';
import { convTapStats } from './stats';

/** The manifest of a checkpoint, validated against the shared schema before it is written. */
export function buildManifest(a: {
  name: string;
  arch: ArchSpec;
  task: Record<string, unknown> & { name: string };
  training: Manifest['training'];
  step: number;
  params: number;
  history: HistoryPoint[];
  weights: Record<string, Float32Array>;
  /** a tokenizer.json trained over (train --tokenizer), embedded whole; bytes when absent */
  tokenizer?: Record<string, unknown>;
}): Manifest {
  // Raw tap statistics only where the graph holds masked weights (the causal conv of seed 002).
  const raw = a.arch.kind === 'conv-attn' ? a.weights['blocks.0.conv.W'] : undefined;
  return Manifest.parse({
    format: MANIFEST_FORMAT,
    name: a.name,
    arch: a.arch,
    tokenizer: a.tokenizer ? { type: 'huggingface', json: a.tokenizer } : 'bytes',
    task: a.task,
    training: a.training,
    step: a.step,
    params: a.params,
    history: a.history,
    ...(raw
      ? {
          conv_raw_stats: {
            'blocks.0.conv': convTapStats(
              raw,
              (a.arch.kind === 'conv-attn' && a.arch.kernel) || 3,
              a.arch.d_model,
              a.arch.d_model,
            ),
          },
        }
      : {}),
    created: new Date().toISOString(),
  });
}
