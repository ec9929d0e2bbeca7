import { register } from 'node:module';

let done = false;

/**
 * Teach this Node process to import .svelte files (compiled for the server by svelte/compiler, see
 * svelte-hooks.mjs). Vitest compiles them itself through the sveltekit plugin, so there it is a no-op.
 */
export function ensureSvelteLoader(): void {
  if (done || process.env.VITEST) return;
  register(new URL('./svelte-hooks.mjs', import.meta.url));
  done = true;
}
