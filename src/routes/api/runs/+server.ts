import { json } from '@sveltejs/kit';
import { readRuns } from '$lib/server/runs';
import type { RequestHandler } from './$types';

/**
 * Training curves and the run table as JSON: `{ runs: RunSummary[], columns: Column[] }` (see $lib/runs.ts and
 * $lib/figures/run-table.ts): run folders and checkpoint manifests, each with its seed-format table row.
 */
export const GET: RequestHandler = async () =>
  json(await readRuns(), { headers: { 'cache-control': 'no-cache' } });
