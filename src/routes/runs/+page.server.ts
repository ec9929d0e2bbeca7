import { readRuns } from '$lib/server/runs';
import { checkpointDirs } from '$lib/server/checkpoints';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ runs: await readRuns(), dirs: checkpointDirs() });
