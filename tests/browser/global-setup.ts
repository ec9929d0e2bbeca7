import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { existsSync } from 'node:fs';
import { MODEL, makeRuns } from '../figures/fixture';
import { REPO, testCheckpointDir } from './checkpoints';

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

let server: ChildProcess | null = null;
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
  const child = spawn(
    process.execPath,
    [join(REPO, 'bin/smallscope.js'), 'serve', '--checkpoints', dir, '--checkpoints', runsDir, '--port', '0'],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server = child;
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`smallscope serve printed no URL in 30 s:\n${out}`)),
      30_000,
    );
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/[^\s]+:\d+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`smallscope serve exited with code ${code}:\n${out}`));
    });
  });
  project.provide('baseUrl', baseUrl);
  project.provide('checkpointDir', dir);
  project.provide('runsDir', runsDir);
}

export async function teardown(): Promise<void> {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  if (runsScratch) rmSync(runsScratch, { recursive: true, force: true });
}
