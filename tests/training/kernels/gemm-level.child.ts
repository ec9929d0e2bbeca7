/**
 * Child process of gemm-level.test.ts: loads the addon under the SMALLSCOPE_SIMD its parent set (the
 * micro-kernel is chosen once per process) and prints, as JSON, the level it picked and the largest error of
 * its products against a float64 triple loop, error scaled by sqrt(k).
 */
import { loadGemmAddon } from '../../../training/kernels/native';
import { Rng } from '../../../training/random';
import { gemmReference } from './gemm-reference';

const lib = loadGemmAddon();
if (!lib) throw new Error('native/gemm is not built');
// Tiles of both micro-kernels (12 x 32, 6 x 16) and their ragged edges, 256-deep slabs, and the in-place,
// narrow-output and transposed paths.
const shapes = [
  [6, 16, 256],
  [7, 17, 257],
  [13, 33, 100],
  [100, 3, 7],
  [25, 70, 513],
  [3264, 32, 416],
];
let worst = 0;
for (const [m, n, k] of shapes as [number, number, number][])
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      const rng = new Rng(m + n + k);
      const [ao, bo] = [1, 1 + m * k + 3];
      const co = bo + k * n + 2;
      const h = new Float32Array(co + m * n);
      for (let i = 0; i < co; i++) h[i] = rng.normal();
      lib.gemm(h.buffer, 1, m, n, k, ao, 0, ta, bo, 0, tb, co, false);
      const want = gemmReference(h, m, n, k, ao, ta, bo, tb);
      for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(h[co + i]! - want[i]!) / Math.sqrt(k));
    }
console.log(JSON.stringify({ simd: lib.simd(), worst }));
