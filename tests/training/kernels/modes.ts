import { afterAll, beforeAll, describe } from 'vitest';
import { setNativeKernels } from '../../../training/kernels/native';

/**
 * Runs a block of specifications twice: with the native kernels (training/kernels/native.ts) and with the
 * tfjs wasm kernels alone, so both paths a user may get are held to the same references. (Where the addon
 * is not built both runs take the wasm path; native.test.ts fails on x86-64 Linux in that case.)
 */
export function describeBothPaths(title: string, body: () => void): void {
  for (const on of [true, false])
    describe(`${title} [${on ? 'native kernels' : 'wasm kernels'}]`, () => {
      beforeAll(() => {
        setNativeKernels(on);
      });
      afterAll(() => {
        setNativeKernels(true);
      });
      body();
    });
}
