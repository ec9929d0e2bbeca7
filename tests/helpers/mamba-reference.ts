/**
 * mamba-minimal's forward pass written out with plain loops in float64 (no tfjs, no ONNX), from the weight
 * arrays in their PyTorch layouts: the reference the tfjs model and its ONNX export are checked against.
 * Sequential in every respect, as the "slow version" is: one position and one state at a time.
 */
export interface MambaDims {
  layers: number;
  D: number;
  E: number;
  N: number;
  R: number;
  K: number;
  V: number;
}

/** Logits [pos][vocab] of one token row. */
export function mambaReference(w: Record<string, Float32Array>, d: MambaDims, tokens: number[]): number[][] {
  const { D, E, N, R, K, V } = d;
  const T = tokens.length;
  // y[out] = sum_in W[out, in] x[in] (+ b[out]): a PyTorch Linear.
  const lin = (W: Float32Array, out: number, inp: number, x: number[], b?: Float32Array) =>
    Array.from({ length: out }, (_, o) => {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inp; i++) s += W[o * inp + i] * x[i];
      return s;
    });
  const rms = (x: number[], g: Float32Array) => {
    const r = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length + 1e-5);
    return x.map((v, i) => (v / r) * g[i]);
  };
  const silu = (v: number) => v / (1 + Math.exp(-v));
  const softplus = (v: number) => Math.log1p(Math.exp(v));

  let x = tokens.map((t) => Array.from(w['embed.W_E'].subarray(t * D, (t + 1) * D))); // [pos][D]
  for (let l = 0; l < d.layers; l++) {
    const m = (n: string) => w[`layers.${l}.mixer.${n}`];
    const xr = x.map((xt) => lin(m('in_proj.weight'), 2 * E, D, rms(xt, w[`layers.${l}.norm.weight`])));
    const uIn = xr.map((v) => v.slice(0, E));
    // Causal depthwise conv: tap k of channel c reads position t - (K - 1) + k.
    const u = uIn.map((_, t) =>
      Array.from({ length: E }, (_, c) => {
        let s = m('conv1d.bias')[c];
        for (let k = 0; k < K; k++) {
          const src = t - (K - 1) + k;
          if (src >= 0) s += m('conv1d.weight')[c * K + k] * uIn[src][c];
        }
        return silu(s);
      }),
    );
    const h = Array.from({ length: E * N }, () => 0); // [E][N], from zero
    x = x.map((xt, t) => {
      const xd = lin(m('x_proj.weight'), R + 2 * N, E, u[t]);
      const delta = lin(m('dt_proj.weight'), E, R, xd.slice(0, R), m('dt_proj.bias')).map(softplus);
      const y = Array.from({ length: E }, (_, c) => {
        let yc = 0;
        for (let n = 0; n < N; n++) {
          const A = -Math.exp(m('A_log')[c * N + n]);
          h[c * N + n] = Math.exp(delta[c] * A) * h[c * N + n] + delta[c] * xd[R + n] * u[t][c];
          yc += xd[R + N + n] * h[c * N + n];
        }
        return (yc + m('D')[c] * u[t][c]) * silu(xr[t][E + c]);
      });
      const out = lin(m('out_proj.weight'), D, E, y);
      return xt.map((v, i) => v + out[i]);
    });
  }
  // Tied head: logits = norm_f(x) E^T.
  return x.map((xt) => lin(w['embed.W_E'], V, D, rms(xt, w['norm_f.weight'])));
}
