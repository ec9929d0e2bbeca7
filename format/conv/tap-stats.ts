import { quantileSorted, sortedCopy } from './quantile';
import { offsetName, tapMatrix, type ConvWeight } from './conv-weight';

/**
 * S1 of the smeared-key statistics: descriptive statistics of each tap's weights W[:, :, tau].
 * `q75`/`q90` are quantiles of the signed values (the seed-002 table and the PyTorch reference);
 * `abs_q50`..`abs_q99` are quantiles of |w| (PROBE_DEFINITIONS S1). All in float64.
 */
export interface TapStats {
  tap: number;
  offset: number;
  name: string;
  count: number;
  max: number;
  min: number;
  q75: number;
  q90: number;
  mean: number;
  /** unbiased (N-1) standard deviation, as torch.std */
  std: number;
  mean_abs: number;
  abs_q50: number;
  abs_q75: number;
  abs_q90: number;
  abs_q99: number;
  /** Frobenius norm of the tap matrix */
  fro: number;
  /** ||W_tau||_F^2 / sum over taps */
  energy_share: number;
}

export function tapStats(w: ConvWeight): TapStats[] {
  const fro2 = w.offsets.map((_, tau) => tapMatrix(w, tau).reduce((s, v) => s + v * v, 0));
  const total = fro2.reduce((a, b) => a + b, 0);
  return w.offsets.map((offset, tau) => {
    const v = tapMatrix(w, tau);
    const n = v.length;
    const sorted = sortedCopy(v);
    const abs = sortedCopy(v.map(Math.abs));
    let sum = 0;
    let sumAbs = 0;
    for (const x of v) {
      sum += x;
      sumAbs += Math.abs(x);
    }
    const mean = sum / n;
    let ss = 0;
    for (const x of v) ss += (x - mean) ** 2;
    return {
      tap: tau,
      offset,
      name: offsetName(offset),
      count: n,
      max: sorted[n - 1],
      min: sorted[0],
      q75: quantileSorted(sorted, 0.75),
      q90: quantileSorted(sorted, 0.9),
      mean,
      std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
      mean_abs: sumAbs / n,
      abs_q50: quantileSorted(abs, 0.5),
      abs_q75: quantileSorted(abs, 0.75),
      abs_q90: quantileSorted(abs, 0.9),
      abs_q99: quantileSorted(abs, 0.99),
      fro: Math.sqrt(fro2[tau]),
      energy_share: total > 0 ? fro2[tau] / total : 0,
    };
  });
}

/**
 * S0: is the conv causal? Every tap that reads a future position (offset > 0) must be exactly zero.
 * Returns the offending taps (empty = causal).
 */
export function futureTapsNonZero(w: ConvWeight): number[] {
  return w.offsets.flatMap((offset, tau) =>
    offset > 0 && tapMatrix(w, tau).some((x) => x !== 0) ? [offset] : [],
  );
}
