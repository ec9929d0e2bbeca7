import type { z } from 'zod';
import type { TapStats } from '../../probes/manifest';

type Tap = z.infer<typeof TapStats>;

/**
 * Quantile with linear interpolation between order statistics (numpy's default, torch.quantile's default):
 * position q * (n - 1) in the sorted values.
 */
export function quantile(sorted: Float64Array | number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Summary of one set of weights; std is the population std (ddof 0, numpy's default). */
export function summarize(values: ArrayLike<number>): Omit<Tap, 'offset'> {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let ss = 0;
  for (const v of sorted) ss += (v - mean) ** 2;
  return {
    max: sorted[n - 1],
    min: sorted[0],
    q75: quantile(sorted, 0.75),
    q90: quantile(sorted, 0.9),
    mean,
    std: Math.sqrt(ss / n),
  };
}

/**
 * Per-tap statistics of a raw conv weight stored tap-major [k, d_in, d_out] (all values of W[:, :, tap] in
 * PyTorch's [out, in, k] layout). Offsets are relative to the output position: -1 reads t-1, 0 reads t, +1
 * reads t+1 (the masked tap, reported from its raw values, which is what the seed's table shows).
 */
export function convTapStats(raw: Float32Array, kernel: number): Tap[] {
  const per = raw.length / kernel;
  const half = (kernel - 1) / 2;
  return Array.from({ length: kernel }, (_, k) => ({
    offset: k - half,
    ...summarize(raw.subarray(k * per, (k + 1) * per)),
  }));
}
