import { register } from 'node:module';

let done = false;

/**
 * Teach this Node process to import the figure components compiled for the server (`X.figure-server.js`, see
 * svelte-hooks.mjs). Under Vitest the figure-server plugin of vite.config.ts does it, so there it is a no-op.
 */
export function ensureSvelteLoader(): void {
  if (done || process.env.VITEST) return;
  register(new URL('./svelte-hooks.mjs', import.meta.url));
  done = true;
}
