import { quantile } from '../../format/conv/quantile';
import { tapAt, tapMatrix, type ConvWeight } from '../../format/conv/conv-weight';

/**
 * Smeared-key statistics S2, S4, S5, S6 of PROBE_DEFINITIONS §3.3: how much of what a kernel-3 causal conv
 * writes comes from the previous token, per output channel and in the key space of the attention it feeds.
 * Matrices are row-major Float64Arrays with explicit shapes.
 */

/**
 * Olsson et al.'s smeared keys (PROBE_DEFINITIONS §2.3.8): k_j <- sigma k_j + (1 - sigma) k_{j-1} for j >= 1,
 * each from the unsmeared keys; the first key is unchanged ("no interpolation happens"). keys: [pos][d].
 */
export function smearKeys(keys: readonly (readonly number[])[], sigma: number): number[][] {
  return keys.map((k, j) => (j === 0 ? [...k] : k.map((v, i) => sigma * v + (1 - sigma) * keys[j - 1][i])));
}

/** S2: rho_o = ||W[o,:,prev]|| / ||W[o,:,cur]|| and the bounded f_o = ||prev||^2 / (||prev||^2 + ||cur||^2). */
export interface ChannelRatios {
  rho: number[];
  f: number[];
  median: number;
  q10: number;
  q90: number;
  frac_above_1: number;
  /** The init null band: at PyTorch default init rho ~ 1 with sd(log rho) ~ 0.6325 / sqrt(d_in) (§3.4). */
  null_sd_log: number;
  /** Fraction of channels with |log rho| beyond 2 null standard deviations. */
  frac_outside_null: number;
}

export function channelRatios(w: ConvWeight, prevOffset = -1, curOffset = 0): ChannelRatios {
  const prev = tapMatrix(w, requireTap(w, prevOffset));
  const cur = tapMatrix(w, requireTap(w, curOffset));
  const rho: number[] = [];
  const f: number[] = [];
  for (let o = 0; o < w.out; o++) {
    let p2 = 0;
    let c2 = 0;
    for (let i = 0; i < w.in; i++) {
      p2 += prev[o * w.in + i] ** 2;
      c2 += cur[o * w.in + i] ** 2;
    }
    rho.push(c2 > 0 ? Math.sqrt(p2 / c2) : Infinity);
    f.push(p2 + c2 > 0 ? p2 / (p2 + c2) : NaN);
  }
  const nullSd = 0.6325 / Math.sqrt(w.in);
  const finite = rho.filter(Number.isFinite);
  return {
    rho,
    f,
    median: quantile(finite, 0.5),
    q10: quantile(finite, 0.1),
    q90: quantile(finite, 0.9),
    frac_above_1: rho.filter((r) => r > 1).length / rho.length,
    null_sd_log: nullSd,
    frac_outside_null: rho.filter((r) => Math.abs(Math.log(r)) > 2 * nullSd).length / rho.length,
  };
}

function requireTap(w: ConvWeight, offset: number): number {
  const tau = tapAt(w, offset);
  if (tau < 0) throw new Error(`the conv has no tap at offset ${offset} (taps read ${w.offsets.join(', ')})`);
  return tau;
}

/** C = A B for row-major A [n, k] and B [k, m]. */
export function matmul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += aip * b[p * m + j];
    }
  return c;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/**
 * S3: key-space tap matrix K_tau = W_K W_tau, with W_K [d_head, d_model] in nn.Linear layout (out, in)
 * and W_tau [d_model(out), d_in]. Returns [d_head, d_in].
 */
export function keySpaceTap(wk: Float64Array, dHead: number, w: ConvWeight, offset: number): Float64Array {
  return matmul(wk, tapMatrix(w, requireTap(w, offset)), dHead, w.out, w.in);
}

/** S4: pi = ||K_prev||_F^2 / (||K_prev||_F^2 + ||K_cur||_F^2) (whitened inputs). */
export function prevShare(kPrev: Float64Array, kCur: Float64Array): number {
  const p = dot(kPrev, kPrev);
  const c = dot(kCur, kCur);
  return p + c > 0 ? p / (p + c) : NaN;
}

/** S6: cos(K_prev, K_cur), s* = <K_prev,K_cur>/||K_cur||^2 and the implied Olsson smear sigma = 1/(1+s*). */
export function smearAlignment(
  kPrev: Float64Array,
  kCur: Float64Array,
): { cos: number; s: number; sigma: number } {
  const pc = dot(kPrev, kCur);
  const pp = dot(kPrev, kPrev);
  const cc = dot(kCur, kCur);
  const s = cc > 0 ? pc / cc : NaN;
  return { cos: pp > 0 && cc > 0 ? pc / Math.sqrt(pp * cc) : NaN, s, sigma: 1 / (1 + s) };
}

/**
 * S5: empirical key-variance decomposition on real conv inputs X [T, d_in] (positions t >= 1 only, since
 * t = 0 reads the zero padding): k_t = K_prev x_{t-1} + K_cur x_t. Population (1/N) variances summed over
 * key dimensions.
 */
export function keyVarianceSplit(
  kPrev: Float64Array,
  kCur: Float64Array,
  dHead: number,
  x: Float64Array,
  dIn: number,
) {
  const T = x.length / dIn;
  const n = T - 1;
  const prevPart = matmul(x.subarray(0, n * dIn), transpose(kPrev, dHead, dIn), n, dIn, dHead); // [n, d_head]
  const curPart = matmul(x.subarray(dIn), transpose(kCur, dHead, dIn), n, dIn, dHead);
  let vPrev = 0;
  let vCur = 0;
  let c = 0;
  for (let d = 0; d < dHead; d++) {
    let mp = 0;
    let mc = 0;
    for (let t = 0; t < n; t++) {
      mp += prevPart[t * dHead + d];
      mc += curPart[t * dHead + d];
    }
    mp /= n;
    mc /= n;
    for (let t = 0; t < n; t++) {
      const a = prevPart[t * dHead + d] - mp;
      const b = curPart[t * dHead + d] - mc;
      vPrev += (a * a) / n;
      vCur += (b * b) / n;
      c += (a * b) / n;
    }
  }
  const total = vPrev + vCur + 2 * c;
  return {
    V_prev: vPrev,
    V_cur: vCur,
    C: c,
    total,
    share_no_cross: vPrev / (vPrev + vCur),
    share_shapley: (vPrev + c) / total,
  };
}

export function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}
