import type { AttentionTap } from '../attention';
import { offsetName, tapMatrix } from '../../format/conv/conv-weight';
import { transpose } from '../conv/smear';
import { convWeightOf } from '../filters/conv-report';
import { attentionWeights, rowBlock } from '../onnx/attention-weights';
import { findConvs } from '../onnx/conv-nodes';
import { findEmbedding } from '../onnx/embedding';
import { indexGraph, type Matrix } from '../onnx/graph-walk';
import { constantTensor, type OnnxModel } from '../../format/onnx/model';
import { chain, ovEigenRatio } from './copying';

/**
 * The OV copying score of every head from the weights (PROBE_DEFINITIONS §2.3.3 (ii)), for graphs of the
 * form embedding -> [conv] -> attention V -> [W_O] -> W_U: one circuit per non-zero conv tap,
 * W_E W_tau^T W_V^h W_O^h W_U (`cur` copies the attended token, `prev` the token before it), or W_E W_V^h W_O^h
 * W_U without a conv. null with a note when the structure is not recognised.
 */
export interface OvCopying {
  /** by tap name (prev, cur, ...) or `direct` without a conv */
  by_tap: Record<string, number> | null;
  note: string | null;
}

export function ovCopying(model: OnnxModel, taps: readonly AttentionTap[]): Record<string, OvCopying[]> {
  const g = indexGraph(model);
  const emb = findEmbedding(model);
  const table = emb ? constantTensor(model, emb.table) : null;
  const convs = findConvs(model);
  const result: Record<string, OvCopying[]> = {};
  for (const tap of taps) {
    const aw = attentionWeights(g, tap);
    const fail = (note: string) => [{ by_tap: null, note }];
    if ('error' in aw) {
      result[tap.name] = fail(aw.error);
      continue;
    }
    if (!aw.wv || !aw.wu || !aw.vSource || !table) {
      result[tap.name] = fail(
        !table
          ? 'no embedding table found'
          : (aw.notes[0] ?? 'V does not read the embedding or a conv over it'),
      );
      continue;
    }
    const [V, d] = table.dims;
    const e = Float64Array.from(table.data);
    // The pre-V factors: nothing (V reads the embedding) or one tap matrix of the conv V reads.
    let pre: Record<string, Matrix | null>;
    const src = aw.vSource;
    if (src.kind === 'embedding') pre = { direct: null };
    else {
      const info = convs.find((c) => c.node === (src.node.name || src.node.output[0]));
      const w = info ? convWeightOf(model, info) : null;
      const fromEmbedding = g.producer.get(src.node.input[0]);
      const readsTable =
        fromEmbedding &&
        (fromEmbedding.opType === 'Transpose' ? g.producer.get(fromEmbedding.input[0]) : fromEmbedding)
          ?.opType === 'Gather';
      if (!w || info!.group !== 1 || w.in !== d || !readsTable) {
        result[tap.name] = fail('V reads a conv that does not read the embedding directly (or is grouped)');
        continue;
      }
      pre = {};
      w.offsets.forEach((offset, tau) => {
        if (info!.taps![tau].zero) return;
        pre[offsetName(offset)] = {
          rows: w.in,
          cols: w.out,
          data: transpose(tapMatrix(w, tau), w.out, w.in),
        };
      });
    }
    const rows: OvCopying[] = [];
    for (let h = 0; h < aw.heads; h++) {
      const wvH = columnBlock(aw.wv, h, aw.dHead);
      const b = aw.wo
        ? chain(rowBlock(aw.wo, h, aw.dHead), aw.dHead, aw.wo.cols, [aw.wu]).data
        : rowBlock(aw.wu, h, aw.dHead);
      const byTap: Record<string, number> = {};
      for (const [name, m] of Object.entries(pre)) {
        const a = chain(e, V, d, [...(m ? [m] : []), { data: wvH, cols: aw.dHead }]).data;
        byTap[name] = ovEigenRatio(a, b, V, aw.dHead);
      }
      rows.push({ by_tap: byTap, note: null });
    }
    result[tap.name] = rows;
  }
  return result;
}

function columnBlock(w: Matrix, h: number, dHead: number): Float64Array {
  const out = new Float64Array(w.rows * dHead);
  for (let m = 0; m < w.rows; m++)
    for (let j = 0; j < dHead; j++) out[m * dHead + j] = w.data[m * w.cols + h * dHead + j];
  return out;
}
