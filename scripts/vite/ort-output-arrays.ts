import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/**
 * onnxruntime-web allocates each output's typed array with `new Ctor(size)` and copies the output from the
 * wasm heap into it. This plugin makes that allocation call the page's output reserve instead
 * (runtime/web/output-arrays.ts: memory touched in idle time, so a 16 MB pattern's copy does not fault
 * its pages in during the keystroke; -4 ms of ~55 at 2048 tokens). Nothing else in the runtime changes: the
 * array has the same type, length and contents.
 *
 * The patch is one expression in onnxruntime-web's code, found by its shape; the package is pinned by the
 * lockfile, and a version whose code no longer has that shape fails the build here (tests/app/
 * ort-output-arrays.test.ts checks the installed one) rather than silently losing the reserve.
 */
export const RESERVE_MODULE = fileURLToPath(new URL('../../runtime/web/output-arrays.ts', import.meta.url));

/** `data = new Ctor(size); new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(wasm.HEAPU8.subarray(` */
const OUTPUT_COPY =
  /\b([\w$]+)\s*=\s*new\s+([\w$]+)\(\s*([\w$]+)\s*\)\s*;\s*(new Uint8Array\(\s*\1\.buffer\s*,\s*\1\.byteOffset\s*,\s*\1\.byteLength\s*\)\s*\.set\(\s*[\w$]+\.HEAPU8\.subarray\()/g;

/** The core of onnxruntime-web's JavaScript (the module that reads outputs with OrtGetTensorData). */
export const isOrtCore = (id: string, code: string) =>
  /[\\/]onnxruntime-web[\\/]dist[\\/][^\\/]+\.m?js$/.test(id.split('?')[0]) &&
  code.includes('_OrtGetTensorData');

/** The module with its output allocation replaced, or an error naming what was expected. */
export function patchOutputArrays(
  code: string,
  reserve = RESERVE_MODULE,
): { code: string } | { error: string } {
  let count = 0;
  const patched = code.replace(OUTPUT_COPY, (_m, data, ctor, size, copy) => {
    count++;
    return `${data}=__smallscopeOutputArray(${ctor},${size});${copy}`;
  });
  if (count !== 1)
    return {
      error:
        `onnxruntime-web: expected one output allocation ("x = new Ctor(size); new Uint8Array(x.buffer, ...)` +
        `.set(HEAPU8.subarray(...))"), found ${count}. The installed version differs from the one this patch ` +
        `was written for; update scripts/vite/ort-output-arrays.ts.`,
    };
  return {
    code: `import { ortOutputArray as __smallscopeOutputArray } from ${JSON.stringify(reserve)};\n${patched}`,
  };
}

export function ortOutputArrays(): Plugin {
  return {
    name: 'smallscope-ort-output-arrays',
    transform(code, id) {
      if (!isOrtCore(id, code)) return null;
      const r = patchOutputArrays(code);
      if ('error' in r) this.error(r.error);
      return { code: r.code, map: null };
    },
  };
}
