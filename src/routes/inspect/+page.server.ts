import { error } from '@sveltejs/kit';
import { checkpointDirs, findCheckpoint, listCheckpointFiles } from '$lib/server/checkpoints';
import { inspectDefault } from '$lib/server/default-checkpoint';
import { readLibrary } from '$lib/server/library';
import { isLocal } from '$lib/source/checkpoint-ref';
import { readState } from '$lib/inspect/url-state';
import type { PageServerLoad } from './$types';

/**
 * The checkpoint list (for the picker) and the view state from the URL. The model itself runs in the browser;
 * this only runs when the checkpoint changes, not per keystroke (the page updates text/layer/head with
 * shallow routing, which does not rerun load). `local:NAME` checkpoints live in the browser only.
 */
export const load: PageServerLoad = async ({ url }) => {
  const initial = readState(url.searchParams);
  // The picker needs the names only. Describing every served file (decoding it, scoring its heads with
  // onnxruntime-node) is needed for the default only, when the URL names no checkpoint: with a 310 MB model
  // in the folder (bench/large-model) it held the page back by about 20 s on a first visit.
  let names: string[];
  if (initial.ckpt) names = (await listCheckpointFiles()).map((f) => f.name);
  else {
    const library = await readLibrary();
    names = library.checkpoints.map((c) => c.name);
    initial.ckpt = inspectDefault(library.checkpoints)?.name ?? '';
  }
  const listed = names.includes(initial.ckpt);
  if (initial.ckpt && !listed && !isLocal(initial.ckpt)) {
    const found = await findCheckpoint(initial.ckpt);
    error(
      found.ok ? 404 : found.status,
      found.ok ? `checkpoint '${initial.ckpt}' is not listed` : found.message,
    );
  }
  return { checkpoints: names, dirs: checkpointDirs(), initial };
};
