import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { PYTORCH_PLAIN } from '../fixtures/paths';

/** Run the command line as a user does (`node bin/smallscope.js ...`). */
const repo = fileURLToPath(new URL('../../', import.meta.url));
export const PYTORCH_MODEL = PYTORCH_PLAIN;

export function smallscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/smallscope.js', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function expectUsageError(r: ReturnType<typeof smallscope>, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}
