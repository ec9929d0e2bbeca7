import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { serve, type Served } from '../app/server/serve';
import { makeRuns } from '../figures/fixture';
import { testCheckpointDir } from './checkpoints';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:PORT of the app under test. */
    baseUrl: string;
    /** The checkpoint folder it serves. */
    checkpointDir: string;
    /** A second served folder holding run folders (model.onnx + summary.json / metrics.jsonl), or '' */
    runsDir: string;
  }
}

let server: Served | null = null;
/** A scratch checkpoint folder this run made, removed at the end. */
let scratch: string | null = null;
let runsScratch: string | null = null;

/**
 * Start `smallscope serve` on a free port (--port 0; the URL is read from its first lines of output) against
 * the test checkpoints, exactly as a user would, so the headers under test are the production server's.
 */
export async function setup(project: TestProject): Promise<void> {
  const { dir, temporary } = testCheckpointDir();
  if (temporary) scratch = dir;
  // Run folders in the seeds' style (tests/figures/fixture.ts), served too, for the runs view's table.
  const runsDir = makeRuns();
  runsScratch = runsDir;
  server = await serve(['--checkpoints', dir, '--checkpoints', runsDir]);
  const baseUrl = server.url;
  project.provide('baseUrl', baseUrl);
  project.provide('checkpointDir', dir);
  project.provide('runsDir', runsDir);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  if (runsScratch) rmSync(runsScratch, { recursive: true, force: true });
}
