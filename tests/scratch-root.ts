import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * vitest globalSetup: every scratch file of a test run goes under one folder made for the run and removed after
 * it, so a run leaves nothing in the system's temporary folder. os.tmpdir() reads TMPDIR, which the test workers
 * (forked after this runs) and the command lines they spawn inherit; the tests keep calling mkdtempSync(tmpdir()).
 */
export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'smallscope-tests-'));
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
