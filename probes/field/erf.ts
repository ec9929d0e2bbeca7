/**
 * Summaries of an effective receptive field (Luo et al. 2016; PROBE_DEFINITIONS §4.2-4.3): given g(s), the
 * gradient magnitude of the output at position c with respect to the input at s, as a mass m(s) = g(s)/sum g.
 */
export interface ErfSummary {
  r50: number | null;
  r90: number | null;
  r95: number | null;
  r99: number | null;
  /** first moment of the offset s - c */
  mean: number;
  /** standard deviation of the offset */
  sigma: number;
}

/**
 * Mass radius R_p = min R such that the mass within the window reaches p. The window is centred
 * [c-R, c+R] by default, or one-sided [c-R, c] for causal models.
 */
export function massRadius(g: ArrayLike<number>, c: number, p: number, oneSided = false): number | null {
  let total = 0;
  for (let i = 0; i < g.length; i++) total += g[i];
  if (!(total > 0)) return null;
  let acc = c >= 0 && c < g.length ? g[c] : 0;
  for (let R = 0; R < g.length; R++) {
    if (R > 0) {
      if (c - R >= 0) acc += g[c - R];
      if (!oneSided && c + R < g.length) acc += g[c + R];
    }
    if (acc / total >= p - 1e-12) return R;
  }
  return null;
}

export function moments(g: ArrayLike<number>, c: number): { mean: number; sigma: number } {
  let total = 0;
  for (let i = 0; i < g.length; i++) total += g[i];
  let mu = 0;
  for (let i = 0; i < g.length; i++) mu += ((i - c) * g[i]) / total;
  let v = 0;
  for (let i = 0; i < g.length; i++) v += ((i - c - mu) ** 2 * g[i]) / total;
  return { mean: mu, sigma: Math.sqrt(v) };
}

export function summarizeErf(g: ArrayLike<number>, c: number, oneSided = false): ErfSummary {
  const { mean, sigma } = moments(g, c);
  return {
    r50: massRadius(g, c, 0.5, oneSided),
    r90: massRadius(g, c, 0.9, oneSided),
    r95: massRadius(g, c, 0.95, oneSided),
    r99: massRadius(g, c, 0.99, oneSided),
    mean,
    sigma,
  };
}

/**
 * The ERF of all-ones kernels: the repeated convolution of dilated boxes (Luo et al. §2.2). Length 2r+1 for
 * centred odd kernels, centre at index r. Its sigma^2 is sum_l d_l^2 (k_l^2 - 1)/12.
 */
export function allOnesErf(kernels: number[], dilations: number[]): Float64Array {
  let ker = Float64Array.of(1);
  kernels.forEach((k, l) => {
    const d = dilations[l];
    const box = new Float64Array((k - 1) * d + 1);
    for (let i = 0; i < box.length; i += d) box[i] = 1;
    const out = new Float64Array(ker.length + box.length - 1);
    for (let i = 0; i < ker.length; i++) for (let j = 0; j < box.length; j++) out[i + j] += ker[i] * box[j];
    ker = out;
  });
  return ker;
}
