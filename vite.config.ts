import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sveltekit } from '@sveltejs/kit/vite';
import { defaultClientConditions } from 'vite';
import { defineConfig, type Plugin } from 'vitest/config';
import { ortOutputArrays } from './scripts/vite/ort-output-arrays';
import { SERVER_SUFFIX, compileServerComponent, svelteSourceOf } from './figures/compile/server-component.js';

/**
 * onnxruntime-web only runs threads when the page is cross-origin isolated, and it hangs (no error) when a
 * worker script lacks the headers. Kit's dev and preview servers serve /_app and static/ before `handle`
 * runs, so the headers are added here as middleware for both (production sets them in bin/serve).
 */
function crossOriginIsolation(): Plugin {
  const set = (_req: unknown, res: { setHeader(k: string, v: string): void }, next: () => void) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    next();
  };
  return {
    name: 'cross-origin-isolation',
    configureServer: (server) => void server.middlewares.use(set),
    configurePreviewServer: (server) => void server.middlewares.use(set),
  };
}

/**
 * `./X.figure-server.js` next to `X.svelte` is that component compiled for the server, by the same function the
 * command line's Node hooks use (figures/compile/server-component.js). The page's figure downloads render
 * these with svelte/server's render(), in the browser, so the SVG they save is the very string `smallscope
 * figure` writes for the same props (figures/svg.ts).
 */
function figureServerComponents(): Plugin {
  return {
    name: 'smallscope-figure-server-components',
    enforce: 'pre',
    resolveId(id, importer) {
      if (!id.endsWith(SERVER_SUFFIX) || !importer) return null;
      return path.resolve(path.dirname(importer.split('?')[0]), id);
    },
    load(id) {
      if (!id.endsWith(SERVER_SUFFIX)) return null;
      const filename = svelteSourceOf(id);
      this.addWatchFile(filename);
      return compileServerComponent(filename, readFileSync(filename, 'utf8'));
    },
  };
}

export default defineConfig({
  plugins: [crossOriginIsolation(), figureServerComponents(), ortOutputArrays(), sveltekit()],
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // onnxruntime-web/wasm's default ("bundle") build holds `new URL('ort-wasm-simd-threaded.wasm',
  // import.meta.url)`, so Vite emitted an unused 14 MB copy of the wasm into _app/immutable/assets. The page
  // loads the runtime from /ort/ (scripts/copy-ort-wasm.js sets wasmPaths there), so the client resolves
  // ORT's export condition for the build that takes its glue and wasm from wasmPaths instead.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/browser/**', '**/node_modules/**'],
    globalSetup: ['tests/scratch-root.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
