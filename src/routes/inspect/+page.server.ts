import { error } from '@sveltejs/kit';
import { findCheckpoint } from '$lib/server/checkpoints';
import { readLibrary } from '$lib/server/library';
import { readState } from '$lib/inspect/url-state';
import type { PageServerLoad } from './$types';

/**
 * The checkpoint list (for the picker), what the server knows about the chosen one, and the view state from
 * the URL. The model itself runs in the browser; this only runs when the checkpoint changes, not per keystroke
 * (the page updates text/layer/head with shallow routing, which does not rerun load).
 */
export const load: PageServerLoad = async ({ url }) => {
  const library = await readLibrary();
  const initial = readState(url.searchParams);
  initial.ckpt ||= library.checkpoints[0]?.name ?? '';
  const selected = library.checkpoints.find((c) => c.name === initial.ckpt) ?? null;
  if (initial.ckpt && !selected) {
    const found = await findCheckpoint(initial.ckpt);
    error(
      found.ok ? 404 : found.status,
      found.ok ? `checkpoint '${initial.ckpt}' is not listed` : found.message,
    );
  }
  return { checkpoints: library.checkpoints.map((c) => c.name), dirs: library.dirs, selected, initial };
};
