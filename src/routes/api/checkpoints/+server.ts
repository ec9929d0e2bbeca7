import { json } from '@sveltejs/kit';
import { readLibrary } from '$lib/server/library';
import type { RequestHandler } from './$types';

/** The checkpoint library as JSON: `{ checkpoints: CheckpointSummary[] }` (see $lib/checkpoint.ts). */
export const GET: RequestHandler = async () => {
  const { checkpoints } = await readLibrary();
  return json({ checkpoints }, { headers: { 'cache-control': 'no-cache' } });
};
