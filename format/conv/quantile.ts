/**
 * Quantile with linear interpolation between sorted neighbours at p = q (N-1): the default of numpy and
 * torch.quantile, and what the seed table and the PyTorch reference use. Computed in float64.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const p = q * (n - 1);
  const lo = Math.floor(p);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (p - lo) * (sorted[hi] - sorted[lo]);
}

/** Sorted float64 copy (typed-array sort is numeric, not lexicographic). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q);
}
