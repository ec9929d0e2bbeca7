import { json } from '@sveltejs/kit';
import { readRuns } from '$lib/server/runs';
import type { RequestHandler } from './$types';

/** Training curves as JSON: `{ runs: RunSummary[] }` (see $lib/runs.ts): run folders and manifest histories. */
export const GET: RequestHandler = async () =>
  json({ runs: await readRuns() }, { headers: { 'cache-control': 'no-cache' } });
