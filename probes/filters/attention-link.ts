import type { ConvWeight } from '../../format/conv/conv-weight';
import { qkCircuit, type QkCircuit } from '../conv/qk-circuit';
import { keySpaceTap, prevShare, smearAlignment } from '../conv/smear';
import { headRows, type AttentionWeights } from '../onnx/attention-weights';

/**
 * S3/S4/S6/S7 for one head whose Q and K read a conv's output linearly: the key- and query-space tap
 * matrices K_tau = W_K^h W_tau, Q_tau = W_Q^h W_tau, the previous-token share of each (the Q/K asymmetry:
 * an induction head built on smeared keys has pi_K > pi_Q), the smear alignment of the keys, and the
 * token-level prefix-matching and duplicate-token QK circuits (needs the embedding table feeding the conv).
 */
export interface HeadLink {
  pattern: string;
  head: number;
  d_head: number;
  /** S4: ||K_prev||^2 / (||K_prev||^2 + ||K_cur||^2), and the same in query space */
  key_prev_share: number;
  query_prev_share: number;
  /** S3 sizes: Frobenius norms of the tap matrices in key and query space */
  key_norms: { prev: number; cur: number };
  query_norms: { prev: number; cur: number };
  /** S6 */
  smear: { cos: number; s: number; sigma: number };
  /** S7, null when the conv does not read the embedding directly */
  prefix_qk: QkCircuit | null;
  dup_qk: QkCircuit | null;
}

const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

export function headLinks(
  pattern: string,
  aw: AttentionWeights,
  w: ConvWeight,
  embedding: { data: Float64Array; vocab: number } | null,
): HeadLink[] {
  const links: HeadLink[] = [];
  for (let h = 0; h < aw.heads; h++) {
    const wk = headRows(aw.wk, h, aw.dHead);
    const wq = headRows(aw.wq, h, aw.dHead);
    const kPrev = keySpaceTap(wk, aw.dHead, w, -1);
    const kCur = keySpaceTap(wk, aw.dHead, w, 0);
    const qPrev = keySpaceTap(wq, aw.dHead, w, -1);
    const qCur = keySpaceTap(wq, aw.dHead, w, 0);
    const circuit = (k: Float64Array) =>
      embedding ? qkCircuit(embedding.data, embedding.vocab, w.in, qCur, k, aw.dHead) : null;
    links.push({
      pattern,
      head: h,
      d_head: aw.dHead,
      key_prev_share: prevShare(kPrev, kCur),
      query_prev_share: prevShare(qPrev, qCur),
      key_norms: { prev: norm(kPrev), cur: norm(kCur) },
      query_norms: { prev: norm(qPrev), cur: norm(qCur) },
      smear: smearAlignment(kPrev, kCur),
      prefix_qk: circuit(kPrev),
      dup_qk: circuit(kCur),
    });
  }
  return links;
}
