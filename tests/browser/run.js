#!/usr/bin/env node
// `npm run test:browser`: check for chromium, build the app once, then run the end-to-end tests with their
// own vitest config. Set SMALLSCOPE_SKIP_BUILD=1 to reuse an existing build/ while iterating on the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  // A failure, not a skip: a CI image without chromium must not pass the browser tests by doing nothing.
  console.error(
    `test:browser: chromium not found at ${chromium}: install it with \`apt-get install -y chromium\``,
  );
  process.exit(1);
}

const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

// A report left from an earlier run must not stand in for this one.
rmSync(join(root, 'test-results', 'browser.json'), { force: true });

if (!process.env.SMALLSCOPE_SKIP_BUILD) {
  const built = run('npm', ['run', 'build']);
  if (built !== 0) process.exit(built);
}
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const config = 'tests/browser/vitest.config.ts';
const status = run(process.execPath, [vitest, 'run', '--config', config, ...process.argv.slice(2)]);

// vitest's own summary is followed by a line about its JSON report; close with the counts instead.
const report = join(root, 'test-results', 'browser.json');
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  const counts = `${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`;
  console.log(`browser tests: ${counts}`);
}
process.exit(status);
