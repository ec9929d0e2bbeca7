/**
 * A 1-D conv weight in the PyTorch layout W[out, in, tap] with the offset each tap reads:
 * offset(tau) = tau * dilation - pad_left, so a kernel-3 conv with padding 1 reads t-1, t, t+1.
 * Tap matrices W_tau = W[:, :, tau] are [out, in].
 */
export interface ConvWeight {
  out: number;
  in: number;
  kernel: number;
  /** row-major [out][in][kernel] */
  data: Float32Array | Float64Array;
  /** offset of each tap relative to the output position (length = kernel) */
  offsets: number[];
}

export function tapOffsets(kernel: number, dilation: number, padLeft: number): number[] {
  return Array.from({ length: kernel }, (_, tau) => tau * dilation - padLeft);
}

/** W[:, :, tau] as a row-major [out][in] matrix in float64. */
export function tapMatrix(w: ConvWeight, tau: number): Float64Array {
  const m = new Float64Array(w.out * w.in);
  for (let o = 0; o < w.out; o++)
    for (let i = 0; i < w.in; i++) m[o * w.in + i] = w.data[(o * w.in + i) * w.kernel + tau];
  return m;
}

/** The tap that reads a given offset (-1 = previous position), or -1 when the conv has none. */
export function tapAt(w: ConvWeight, offset: number): number {
  return w.offsets.indexOf(offset);
}

/** Name of an offset in the smeared-key vocabulary. */
export function offsetName(offset: number): string {
  if (offset === -1) return 'prev';
  if (offset === 0) return 'cur';
  if (offset === 1) return 'fut';
  return offset < 0 ? `t${offset}` : `t+${offset}`;
}
