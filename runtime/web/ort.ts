import { base } from '$app/paths';

type Ort = typeof import('onnxruntime-web/wasm');

let loading: Promise<Ort> | null = null;

/**
 * Load onnxruntime-web (CPU/wasm build) once per page. Imported dynamically so Vite gives ORT its own chunk
 * and keeps it out of SSR (STACK_NOTES §3.2). The runtime files come from /ort/ (scripts/copy-ort-wasm.js),
 * so no CDN is needed and ORT's pthread workers start from a same-origin script that carries COEP.
 */
export function loadOrt(): Promise<Ort> {
  loading ??= import('onnxruntime-web/wasm').then((ort) => {
    // An absolute prefix: ORT resolves the worker script against it, and a relative one takes a fallback path.
    ort.env.wasm.wasmPaths = new URL(`${base}/ort/`, location.href).href;
    // Threads need SharedArrayBuffer, which only a cross-origin isolated page has; ORT would fall back to 1
    // thread anyway, but saying so keeps the status line honest.
    ort.env.wasm.numThreads = threadCount();
    return ort;
  });
  return loading;
}

/** min(4, cores) when cross-origin isolated, else 1. */
export function threadCount(): number {
  return globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
}
