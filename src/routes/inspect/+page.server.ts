import { error } from '@sveltejs/kit';
import { findCheckpoint } from '$lib/server/checkpoints';
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
  const library = await readLibrary();
  const initial = readState(url.searchParams);
  initial.ckpt ||= inspectDefault(library.checkpoints)?.name ?? '';
  const listed = library.checkpoints.some((c) => c.name === initial.ckpt);
  if (initial.ckpt && !listed && !isLocal(initial.ckpt)) {
    const found = await findCheckpoint(initial.ckpt);
    error(
      found.ok ? 404 : found.status,
      found.ok ? `checkpoint '${initial.ckpt}' is not listed` : found.message,
    );
  }
  return { checkpoints: library.checkpoints.map((c) => c.name), dirs: library.dirs, initial };
};
