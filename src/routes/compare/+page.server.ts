import { readLibrary } from '$lib/server/library';
import { readCompare } from '$lib/compare/url-state';
import type { PageServerLoad } from './$types';

/** The checkpoint names for the pickers and the view state (defaults filled in) from the URL. */
export const load: PageServerLoad = async ({ url }) => {
  const library = await readLibrary();
  const names = library.checkpoints.map((c) => c.name);
  return { checkpoints: names, dirs: library.dirs, initial: readCompare(url.searchParams, names) };
};
