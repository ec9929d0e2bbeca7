import { sveltekit } from '@sveltejs/kit/vite';
import { defaultClientConditions } from 'vite';
import { defineConfig, type Plugin } from 'vitest/config';

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

export default defineConfig({
  plugins: [crossOriginIsolation(), sveltekit()],
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // onnxruntime-web/wasm's default ("bundle") build holds `new URL('ort-wasm-simd-threaded.wasm',
  // import.meta.url)`, so Vite emitted an unused 14 MB copy of the wasm into _app/immutable/assets. The page
  // loads the runtime from /ort/ (scripts/copy-ort-wasm.js sets wasmPaths there), so the client resolves
  // ORT's export condition for the build that takes its glue and wasm from wasmPaths instead.
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/figures/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
