import { readLibrary } from '$lib/server/library';
import type { PageServerLoad } from './$types';

/** Checkpoint names for the picker; the default is the first checkpoint with a conv (by its manifest). */
export const load: PageServerLoad = async ({ url }) => {
  const library = await readLibrary();
  const names = library.checkpoints.map((c) => c.name);
  const withConv =
    library.checkpoints.find((c) => c.manifest?.arch === 'conv-attn') ?? library.checkpoints[0];
  return {
    checkpoints: names,
    dirs: library.dirs,
    ckpt: url.searchParams.get('ckpt') || (withConv?.name ?? ''),
    signed: url.searchParams.get('w') === 'signed',
  };
};
