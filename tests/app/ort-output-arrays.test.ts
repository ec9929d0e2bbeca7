import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAst } from 'vite';
import { describe, expect, test } from 'vitest';
import { isOrtCore, patchOutputArrays } from '../../scripts/vite/ort-output-arrays';

const dist = fileURLToPath(new URL('../../node_modules/onnxruntime-web/dist', import.meta.url));
/** The build the page bundles (vite.config.ts resolves the extern-wasm condition) and the default one. */
const CORES = ['ort.wasm.min.mjs', 'ort.wasm.bundle.min.mjs'];

describe('onnxruntime-web output allocation patch', () => {
  for (const file of CORES) {
    test(`${file}: exactly one output allocation is replaced by the reserve, and the module still parses`, () => {
      const code = readFileSync(join(dist, file), 'utf8');
      expect(isOrtCore(join(dist, file), code)).toBe(true);
      const r = patchOutputArrays(code, '/reserve.ts');
      if ('error' in r) throw new Error(r.error);
      expect(
        r.code.startsWith('import { ortOutputArray as __smallscopeOutputArray } from "/reserve.ts";\n'),
      ).toBe(true);
      // The array the copy writes into is the reserve's, with the same constructor and length expressions.
      expect(r.code).toMatch(
        /([\w$]+)=__smallscopeOutputArray\(([\w$]+),([\w$]+)\);new Uint8Array\(\1\.buffer,\1\.byteOffset,\1\.byteLength\)\.set\([\w$]+\.HEAPU8\.subarray\(/,
      );
      expect(r.code.match(/__smallscopeOutputArray\(/g)).toHaveLength(1);
      expect(() => parseAst(r.code)).not.toThrow();
    });
  }

  test('code without that allocation is an error naming the file to update, not a silent no-op', () => {
    const r = patchOutputArrays('const data = new Float32Array(size); copyOut(data);');
    expect(r).toEqual({ error: expect.stringContaining('scripts/vite/ort-output-arrays.ts') });
  });

  test('the unminified shape is recognised too', () => {
    const code =
      'const data = new typedArrayConstructor(size);\n' +
      '            new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(\n' +
      '              wasm.HEAPU8.subarray(dataOffset, dataOffset + data.byteLength),\n            );';
    const r = patchOutputArrays(code, '/r.ts');
    expect('code' in r && r.code).toContain('data=__smallscopeOutputArray(typedArrayConstructor,size);');
  });

  test('only onnxruntime-web modules that read outputs are patched', () => {
    expect(isOrtCore('/x/node_modules/onnxruntime-web/dist/ort.wasm.min.mjs?v=1', '_OrtGetTensorData')).toBe(
      true,
    );
    expect(isOrtCore('/x/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.mjs', 'Module')).toBe(
      false,
    );
    expect(isOrtCore('/x/runtime/web/web-runner.ts', '_OrtGetTensorData')).toBe(false);
  });
});
