import { attr, constantTensor, type GraphNode, type OnnxModel } from '../../format/onnx/model';

/**
 * Conv nodes and where each kernel tap reads. For a 1-D convolution with stride 1, output position t reads
 * input t + offset(tau) through tap tau, with offset(tau) = tau * dilation - pad_left. So with PyTorch's
 * Conv1d(k=3, padding=1), tap 0 reads t-1 (offset -1: the previous position), tap 1 reads t, tap 2 reads t+1,
 * the future tap a causal model must mask. Left padding done by a separate Pad node counts too.
 */
export interface ConvTap {
  tap: number;
  offset: number;
  /** Every weight of this tap is exactly 0 (e.g. a masked future tap). */
  zero: boolean;
}

export interface ConvInfo {
  node: string;
  /** The weight tensor's graph name (meaningless for PyTorch exports, shown only to locate it). */
  weight: string;
  /** [out, in/group, k...], or null when the weight is computed in the graph rather than stored. */
  weightDims: number[] | null;
  kernel: number[];
  dilations: number[];
  strides: number[];
  /** Begin and end padding per spatial axis, including a preceding Pad node's. */
  padsBegin: number[];
  padsEnd: number[];
  group: number;
  /** Per tap of a 1-D kernel; null for 2-D and up, or when the weights are not constants. */
  taps: ConvTap[] | null;
  notes: string[];
}

export function findConvs(model: OnnxModel): ConvInfo[] {
  const producer = new Map(model.nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
  return model.nodes
    .filter((n) => n.opType === 'Conv')
    .map((node): ConvInfo => {
      const notes: string[] = [];
      const w = constantTensor(model, node.input[1]);
      if (!w) notes.push('weights are computed in the graph, not stored as a constant');
      const kernelAttr = attr(node, 'kernel_shape') as number[] | undefined;
      const kernel = kernelAttr ?? w?.dims.slice(2) ?? [];
      const rank = kernel.length;
      const ones = Array<number>(rank).fill(1);
      const dilations = (attr(node, 'dilations') as number[] | undefined) ?? ones;
      const strides = (attr(node, 'strides') as number[] | undefined) ?? ones;
      const pads = (attr(node, 'pads') as number[] | undefined) ?? Array<number>(2 * rank).fill(0);
      let padsBegin = pads.slice(0, rank);
      const padsEnd = pads.slice(rank);
      const autoPad = (attr(node, 'auto_pad') as string | undefined) ?? 'NOTSET';
      if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
        // Stride-1 totals; SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
        const total = kernel.map((k, i) => (k - 1) * dilations[i]);
        padsBegin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
        total.forEach((t, i) => (padsEnd[i] = t - padsBegin[i]));
        notes.push(`auto_pad ${autoPad} (pads computed for stride 1)`);
      }
      const pre = producer.get(node.input[0]);
      if (pre?.opType === 'Pad') {
        const extra = padOf(model, pre);
        if (extra) {
          const axes = extra.length / 2;
          for (let i = 0; i < rank; i++) {
            padsBegin[i] += extra[axes - rank + i];
            padsEnd[i] += extra[2 * axes - rank + i];
          }
          notes.push(`includes the padding of the Pad node before it (${pre.name || pre.output[0]})`);
        }
      }
      let taps: ConvTap[] | null = null;
      if (rank === 1 && w) {
        if (strides[0] !== 1) notes.push(`stride ${strides[0]}: offsets are relative to t * ${strides[0]}`);
        const [out, inn, k] = w.dims;
        taps = Array.from({ length: k }, (_, tap) => {
          let zero = true;
          for (let o = 0; o < out * inn && zero; o++) zero = w.data[o * k + tap] === 0;
          return { tap, offset: tap * dilations[0] - padsBegin[0], zero };
        });
      } else if (rank !== 1) {
        notes.push(`${rank}-D convolution: tap offsets are reported for 1-D convolutions only`);
      }
      return {
        node: node.name || node.output[0],
        weight: node.input[1],
        weightDims: w?.dims ?? null,
        kernel,
        dilations,
        strides,
        padsBegin,
        padsEnd,
        group: (attr(node, 'group') as number | undefined) ?? 1,
        taps,
        notes,
      };
    });
}

function padOf(model: OnnxModel, node: GraphNode): number[] | null {
  const mode = (attr(node, 'mode') as string | undefined) ?? 'constant';
  if (mode !== 'constant') return null;
  const fromAttr = attr(node, 'pads') as number[] | undefined; // opset < 11
  if (fromAttr) return fromAttr;
  const t = node.input[1] ? constantTensor(model, node.input[1]) : null;
  return t ? Array.from(t.data) : null;
}
