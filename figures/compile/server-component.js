// The one way a figure component is compiled for the server, shared by the Vite plugin (the page's figure
// downloads, vite.config.ts) and the Node module hooks (the command line, svelte-hooks.mjs), so both render
// the same SVG string. Plain JavaScript: vite.config.ts and a Node loader hook both import it as is.
import { compile } from 'svelte/compiler';

/** `./X.figure-server.js` beside `X.svelte` names that component compiled for the server. */
export const SERVER_SUFFIX = '.figure-server.js';

/** The `.svelte` file a `.figure-server.js` path stands for. */
export const svelteSourceOf = (path) => `${path.slice(0, -SERVER_SUFFIX.length)}.svelte`;

/**
 * `source` (the text of `filename`, a .svelte file) compiled with generate: 'server', its relative `./Y.svelte`
 * imports pointing at `./Y.figure-server.js`, so a figure's children are server components too.
 */
export function compileServerComponent(filename, source) {
  const { js } = compile(source, { filename, generate: 'server', dev: false });
  return js.code.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.svelte(['"])/g, `$1${SERVER_SUFFIX}$2`);
}
