import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadGemmAddon } from '../../../training/kernels/native';

/**
 * SMALLSCOPE_SIMD picks a narrower GEMM micro-kernel than the CPU's widest, so that the AVX2 kernel (what
 * AVX2-only machines run) is tested and benchmarked on AVX-512 machines as well. Each level runs in its own
 * process, since the addon chooses once per process.
 */
const CHILD = new URL('./gemm-level.child.ts', import.meta.url).pathname;
const flags = platform() === 'linux' ? readFileSync('/proc/cpuinfo', 'utf8') : '';
const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);

function runAt(level: string): { simd: string; worst: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD], {
    encoding: 'utf8',
    env: { ...process.env, SMALLSCOPE_SIMD: level },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe.runIf(platform() === 'linux' && arch() === 'x64' && loadGemmAddon())('SMALLSCOPE_SIMD', () => {
  it.runIf(has('avx2') && has('fma'))(
    'avx2 runs the 6 x 16 AVX2 micro-kernel, whose products are within 1e-5 (scaled by sqrt k) of float64',
    () => {
      const r = runAt('avx2');
      expect(r.simd).toBe('avx2');
      expect(r.worst).toBeLessThan(1e-5);
    },
  );

  it('generic runs the portable micro-kernel, within the same bound', () => {
    const r = runAt('generic');
    expect(r.simd).toBe('generic');
    expect(r.worst).toBeLessThan(1e-5);
  });

  it('an unset level picks the widest the CPU has', () => {
    expect(runAt('').simd).toBe(has('avx512f') ? 'avx512' : has('avx2') && has('fma') ? 'avx2' : 'generic');
  });
});
