// Node module hooks that compile .svelte files for the server (generate: 'server') as they are imported, so the
// CLI renders the very components the app uses, with no build step. Compiled output is cached on disk under
// node_modules/.cache/smallscope-svelte/, keyed by the source and the compiler version, so a cold process pays
// for compilation once per edit. Loaded with module.register() by bin/figures/svelte-loader.ts.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERSION, compile } from 'svelte/compiler';

const cacheDir = new URL('../../node_modules/.cache/smallscope-svelte/', import.meta.url);

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.svelte')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const source = readFileSync(filename, 'utf8');
  const key = createHash('sha256').update(`${VERSION}\0${filename}\0${source}`).digest('hex').slice(0, 32);
  const cached = new URL(`${key}.js`, cacheDir);
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    code = compile(source, { filename, generate: 'server', dev: false }).js.code;
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
