import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests of the web app in Debian's chromium, run by `npm run test:browser` (tests/browser/run.js
 * builds the app first). A separate config so `npx vitest run` (unit tests) never starts a browser; it does
 * not load the SvelteKit plugin: these tests talk to the built server over HTTP.
 */
export default defineConfig({
  root: new URL('../..', import.meta.url).pathname,
  test: {
    include: ['tests/browser/**/*.test.ts'],
    // The scratch root first, so the server and the tests' scratch folders are made under it.
    globalSetup: ['tests/scratch-root.ts', 'tests/browser/global-setup.ts'],
    environment: 'node',
    // One server, one browser per file, 2 cores: run the files one after another.
    fileParallelism: false,
    pool: 'forks',
    testTimeout: 90_000,
    // The JSON report joins the unit tests' in scripts/summarize-tests.js (npm test's closing line).
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/browser.json' },
    hookTimeout: 120_000,
  },
});
