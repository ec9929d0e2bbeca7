// Node module hooks that compile the figure components for the server as they are imported
// (`X.figure-server.js` -> X.svelte compiled by server-component.js, the same function the Vite plugin uses),
// so the command line renders the very components the page downloads, with no build step. Compiled output
// is cached on disk under node_modules/.cache/smallscope-svelte/, keyed by the source and the compiler
// version, so a cold process pays for compilation once per edit. Registered by svelte-loader.ts.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERSION } from 'svelte/compiler';
import { SERVER_SUFFIX, compileServerComponent, svelteSourceOf } from './server-component.js';

const cacheDir = new URL('../../node_modules/.cache/smallscope-svelte/', import.meta.url);

/** `X.figure-server.js` has no file of its own: it resolves to its own URL, and load() makes it. */
export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith(SERVER_SUFFIX) && context.parentURL?.startsWith('file:')) {
    return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith(SERVER_SUFFIX)) return nextLoad(url, context);
  const filename = svelteSourceOf(fileURLToPath(url));
  const source = readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(`${VERSION}\0${filename}\0${source}`).digest('hex').slice(0, 32);
  const cached = new URL(`${key}.js`, cacheDir);
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    code = compileServerComponent(filename, source);
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = new URL(`${key}.${process.pid}.tmp`, cacheDir);
      writeFileSync(tmp, code);
      renameSync(tmp, cached);
    } catch {
      // a read-only checkout: compile every time
    }
  }
  return { format: 'module', source: code, shortCircuit: true };
}
