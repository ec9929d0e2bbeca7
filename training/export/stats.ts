import type { z } from 'zod';
import type { TapStats } from '../../format/manifest';
import { tapStats } from '../../format/conv/tap-stats';

type Tap = z.infer<typeof TapStats>;

/**
 * Per-tap statistics of a raw conv weight stored tap-major [k, d_in, d_out], for the manifest: the graph holds
 * only the masked weight, so the raw future tap's statistics (the seed's table reports them) live here. The
 * numbers are the probes' own (format/conv/tap-stats.ts: linear-interpolation quantiles, torch.std's ddof 1),
 * so `probe filters` reports raw and effective taps by one definition. Offsets are relative to the output
 * position: -1 reads t-1, 0 reads t, +1 reads t+1.
 */
export function convTapStats(raw: Float32Array, kernel: number, dIn: number, dOut: number): Tap[] {
  if (raw.length !== kernel * dIn * dOut)
    throw new Error(`conv weight has ${raw.length} values, not ${kernel} x ${dIn} x ${dOut}`);
  // [k, in, out] (tap-major, as trained) -> [out, in, k] (PyTorch's layout, which tapStats reads)
  const data = new Float32Array(raw.length);
  for (let k = 0; k < kernel; k++)
    for (let i = 0; i < dIn; i++)
      for (let o = 0; o < dOut; o++) data[(o * dIn + i) * kernel + k] = raw[(k * dIn + i) * dOut + o];
  const half = (kernel - 1) / 2;
  const offsets = Array.from({ length: kernel }, (_, k) => k - half);
  return tapStats({ out: dOut, in: dIn, kernel, data, offsets }).map((t) => ({
    offset: t.offset,
    max: t.max,
    min: t.min,
    q75: t.q75,
    q90: t.q90,
    mean: t.mean,
    std: t.std,
  }));
}
