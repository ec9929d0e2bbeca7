import type { CheckpointSummary } from '$lib/checkpoint';
import { checkpointDirs, listCheckpointFiles } from './checkpoints';
import { describeCached } from './onnx-info';

export interface Library {
  /** The folders searched, in order (absolute paths). */
  dirs: string[];
  checkpoints: CheckpointSummary[];
}

/** Every checkpoint in the served folders, described (manifest, parameters, attention outputs). */
export async function readLibrary(): Promise<Library> {
  const files = await listCheckpointFiles();
  return { dirs: checkpointDirs(), checkpoints: await Promise.all(files.map(describeCached)) };
}
