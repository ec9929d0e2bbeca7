import { UsageError } from '../../format/errors';

/**
 * Theoretical receptive field of a stack of 1-D convs (PROBE_DEFINITIONS §4.1). Each layer is described by the
 * offsets its non-zero taps read (offset(tau) = tau * dilation - pad_left), so centred, left-padded causal and
 * masked-future-tap convs are all the same computation: the support of the stack is the Minkowski sum of the
 * layers' offset sets. It can be sparse (k=3, d=2,2 reaches only even offsets), so it is a set, not an interval.
 */
export interface ConvLayerTaps {
  kernel: number;
  dilation: number;
  padLeft: number;
  /** taps whose weights are all zero (a masked future tap) read nothing */
  deadTaps?: number[];
  stride?: number;
}

export function layerOffsets(l: ConvLayerTaps): number[] {
  const dead = new Set(l.deadTaps ?? []);
  const out: number[] = [];
  for (let tau = 0; tau < l.kernel; tau++) if (!dead.has(tau)) out.push(tau * l.dilation - l.padLeft);
  return out;
}

/** 'same' padding for an odd kernel: (k-1)/2 * d on each side. */
export const centred = (kernel: number, dilation: number): ConvLayerTaps => ({
  kernel,
  dilation,
  padLeft: ((kernel - 1) / 2) * dilation,
});

/** Causal by left padding (k-1) d: output t reads t-(k-1)d .. t. */
export const leftPadded = (kernel: number, dilation: number): ConvLayerTaps => ({
  kernel,
  dilation,
  padLeft: (kernel - 1) * dilation,
});

export interface TheoreticalField {
  /** every input offset s - t that can influence output t, ascending */
  support: number[];
  /** the furthest offset reached on either side: max |offset| */
  radius: number;
  /** the extent back and forward: min and max offset */
  back: number;
  forward: number;
  /** support has holes inside [back, forward] */
  sparse: boolean;
}

/**
 * Most distinct offsets the support may hold: a real conv stack reaches a few hundred; dilations chosen to
 * keep every sum distinct grow it as k^layers, so a (mutated) graph past this is refused before it is built.
 */
export const MAX_SUPPORT = 1 << 16;

export function theoreticalField(layers: ConvLayerTaps[]): TheoreticalField {
  let support = new Set<number>([0]);
  let jump = 1;
  for (const l of layers) {
    const next = new Set<number>();
    const offs = layerOffsets(l).map((o) => o * jump);
    if (support.size * offs.length > MAX_SUPPORT * 4)
      throw new UsageError(
        `the convs' taps reach more than ${MAX_SUPPORT} distinct offsets (${layers.length} layers): refused`,
      );
    for (const s of support) for (const o of offs) next.add(s + o);
    if (next.size > MAX_SUPPORT)
      throw new UsageError(`the convs' taps reach more than ${MAX_SUPPORT} distinct offsets: refused`);
    support = next;
    jump *= l.stride ?? 1;
  }
  const sorted = [...support].sort((a, b) => a - b);
  const back = sorted[0];
  const forward = sorted[sorted.length - 1];
  return {
    support: sorted,
    radius: Math.max(-back, forward),
    back,
    forward,
    sparse: sorted.length !== forward - back + 1,
  };
}

/** Closed form for centred odd kernels: r = sum_l (k_l - 1)/2 d_l prod_{m<l} s_m. */
export function centredRadius(kernels: number[], dilations: number[], strides?: number[]): number {
  let r = 0;
  let jump = 1;
  kernels.forEach((k, l) => {
    if (k % 2 !== 1) throw new Error(`the centred formula needs odd kernels, layer ${l} has ${k}`);
    r += ((k - 1) / 2) * dilations[l] * jump;
    jump *= strides?.[l] ?? 1;
  });
  return r;
}
