import { readRuns } from '$lib/server/runs';
import { checkpointDirs } from '$lib/server/checkpoints';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => ({ ...(await readRuns()), dirs: checkpointDirs() });
