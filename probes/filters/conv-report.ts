import type { AttentionTap } from '../attention';
import { UsageError } from '../../format/errors';
import type { ConvWeight } from '../../format/conv/conv-weight';
import { channelRatios, type ChannelRatios } from '../conv/smear';
import { futureTapsNonZero, tapStats, type TapStats } from '../../format/conv/tap-stats';
import { attentionWeights } from '../onnx/attention-weights';
import { findConvs, type ConvInfo } from '../onnx/conv-nodes';
import { findEmbedding } from '../onnx/embedding';
import { indexGraph } from '../onnx/graph-walk';
import { constantTensor, type OnnxModel } from '../../format/onnx/model';
import { headLinks, type HeadLink } from './attention-link';

/**
 * `smallscope probe filters`: the smeared-key statistics S0-S7 (PROBE_DEFINITIONS §3) of every 1-D conv in a
 * graph. The graph holds the effective (masked) weights; when our manifest carries the raw weights'
 * statistics (conv_raw_stats, keyed `blocks.{i}.conv` for the i-th conv), they are reported beside them,
 * labelled raw.
 */
export const NO_CONV = 'no convolution found: this graph has no 1-D Conv node with constant weights';

export interface ConvReport {
  name: string;
  node: string;
  weight_name: string;
  /** [out, in/group, kernel] */
  weight_dims: number[];
  kernel: number;
  dilation: number;
  pads: [number, number];
  group: number;
  /** offset read by each tap (-1 = previous position) */
  offsets: number[];
  /** S0: every tap that reads the future is exactly 0 */
  causal: boolean;
  nonzero_future_offsets: number[];
  /** S1 of the weights in the graph (effective, i.e. after any mask) */
  taps: TapStats[];
  taps_source: 'effective (graph weights)';
  /** S1 of the raw parameter from the manifest, when present */
  raw_taps: unknown[] | null;
  /** S2; null when the conv has no tap at offset -1 and 0 */
  channel_ratios: ChannelRatios | null;
  /** S3/S4/S6/S7 per head of every attention whose Q/K read this conv linearly */
  attention: HeadLink[];
  /** W[out][in][tap], the graph weights */
  weight: number[][][];
  notes: string[];
}

export function convWeightOf(model: OnnxModel, info: ConvInfo): ConvWeight | null {
  if (!info.taps || !info.weightDims) return null;
  const t = constantTensor(model, info.weight);
  if (!t) return null;
  const [out, inn, k] = t.dims;
  return { out, in: inn, kernel: k, data: t.data, offsets: info.taps.map((x) => x.offset) };
}

export function filtersReport(model: OnnxModel, taps: readonly AttentionTap[]): { convs: ConvReport[] } {
  const g = indexGraph(model);
  const convs = findConvs(model).filter((c) => c.taps !== null);
  if (convs.length === 0) throw new UsageError(NO_CONV);
  const emb = findEmbedding(model);
  const table = emb ? constantTensor(model, emb.table) : null;
  const linked = taps.map((tap) => ({ tap, aw: attentionWeights(g, tap) }));
  const raw = model.manifest?.conv_raw_stats ?? {};
  return {
    convs: convs.map((info, i): ConvReport => {
      const w = convWeightOf(model, info)!;
      const notes = [...info.notes];
      const hasPrevCur = w.offsets.includes(-1) && w.offsets.includes(0);
      if (!hasPrevCur) notes.push('no taps at offsets -1 and 0: S2-S7 need a previous and a current tap');
      const attention: HeadLink[] = [];
      for (const { tap, aw } of linked) {
        if ('error' in aw) continue;
        const src = aw.qkSource;
        if (src?.kind !== 'conv' || (src.node.name || src.node.output[0]) !== info.node) continue;
        if (!hasPrevCur || info.group !== 1 || aw.wq.rows !== w.out) {
          notes.push(`${tap.name} reads this conv, but its shapes do not allow key-space statistics`);
          continue;
        }
        const readsEmbedding = emb !== null && embeddingFeeds(g, src.node.input[0], emb.node);
        const e =
          readsEmbedding && table ? { data: Float64Array.from(table.data), vocab: table.dims[0] } : null;
        if (!e) notes.push(`${tap.name}: the conv does not read the embedding directly, so S7 is left out`);
        attention.push(...headLinks(tap.name, aw, w, e));
      }
      if (attention.length === 0 && hasPrevCur)
        notes.push('no attention reads this conv linearly: S3-S7 left out');
      const rawStats = raw[`blocks.${i}.conv`] ?? null;
      return {
        name: `convs.${i}`,
        node: info.node,
        weight_name: info.weight,
        weight_dims: info.weightDims!,
        kernel: w.kernel,
        dilation: info.dilations[0],
        pads: [info.padsBegin[0], info.padsEnd[0]],
        group: info.group,
        offsets: w.offsets,
        causal: futureTapsNonZero(w).length === 0,
        nonzero_future_offsets: futureTapsNonZero(w),
        taps: tapStats(w),
        taps_source: 'effective (graph weights)',
        raw_taps: rawStats ? rawStats.map((s) => ({ ...s, source: 'raw (manifest conv_raw_stats)' })) : null,
        channel_ratios: hasPrevCur ? channelRatios(w) : null,
        attention,
        weight: nested(w),
        notes,
      };
    }),
  };
}

function embeddingFeeds(g: ReturnType<typeof indexGraph>, name: string, embNode: string): boolean {
  for (let depth = 0; depth < 6; depth++) {
    const n = g.producer.get(name);
    if (!n) return false;
    if ((n.name || n.output[0]) === embNode) return true;
    if (n.opType !== 'Transpose' && n.opType !== 'Identity') return false;
    name = n.input[0];
  }
  return false;
}

function nested(w: ConvWeight): number[][][] {
  return Array.from({ length: w.out }, (_, o) =>
    Array.from({ length: w.in }, (_, i) =>
      Array.from(w.data.subarray((o * w.in + i) * w.kernel, (o * w.in + i + 1) * w.kernel)),
    ),
  );
}
