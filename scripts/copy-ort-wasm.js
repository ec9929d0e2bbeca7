#!/usr/bin/env node
// Copy onnxruntime-web's CPU runtime (the Emscripten glue .mjs and its .wasm) into static/ort/, so the page
// loads it from its own origin (no CDN, works offline) and ORT's pthread workers start from a same-origin
// script that carries the COOP/COEP/CORP headers. The page points ort.env.wasm.wasmPaths at '/ort/'.
// static/ort/ is gitignored: it is a build product, refreshed on every `npm run build` / `npm run dev`.
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// package.json is not in the package's export map; resolve an exported runtime file to find dist/.
const dist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm', { paths: [root] }));
const version = JSON.parse(readFileSync(join(dist, '..', 'package.json'), 'utf8')).version;
const out = join(root, 'static', 'ort');

// `onnxruntime-web/wasm` (the CPU-only build the page imports) loads exactly this pair when wasmPaths is a
// prefix. The WebGPU variants (.jsep/.asyncify/.jspi) are 55 MB more and unused, so they are not copied.
const files = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

mkdirSync(out, { recursive: true });
let bytes = 0;
for (const f of files) {
  copyFileSync(join(dist, f), join(out, f));
  bytes += statSync(join(out, f)).size;
}
// The JS bundle and the wasm must come from the same ORT release; the version file makes a mismatch visible.
writeFileSync(join(out, 'VERSION'), `onnxruntime-web ${version}\n`);
console.log(
  `copied ${files.length} onnxruntime-web ${version} files (${(bytes / 1e6).toFixed(1)} MB) to static/ort/`,
);
