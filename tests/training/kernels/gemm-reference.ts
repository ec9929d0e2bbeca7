/**
 * The float64 triple loop the native GEMM is checked against (native.test.ts, and gemm-level.child.ts at each
 * forced micro-kernel): C[m, n] = op(A) op(B) with A at `ao` stored [m, k] (or [k, m] when ta) and B at `bo`
 * stored [k, n] (or [n, k] when tb), read from one float32 heap.
 */
export function gemmReference(
  h: Float32Array,
  m: number,
  n: number,
  k: number,
  ao: number,
  ta: boolean,
  bo: number,
  tb: boolean,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++)
        s += h[ao + (ta ? p * m + i : i * k + p)]! * h[bo + (tb ? j * k + p : p * n + j)]!;
      c[i * n + j] = s;
    }
  return c;
}
