import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matmul } from '../../../probes/conv/smear';
import { mulberry32 } from '../../../probes/inputs/prng';
import { eigenRatio } from '../../../probes/linalg/eigenvalues';
import { findAttention } from '../../../probes/attention';
import { attentionWeights } from '../../../probes/onnx/attention-weights';
import { decodeModel, constantTensor } from '../../../format/onnx/model';
import { copyingRatio, copyingScore, ovEigenRatio } from '../../../probes/scores/copying';
import { iclPositions, iclScore } from '../../../probes/scores/icl';
import { ovCopying } from '../../../probes/scores/ov-circuits';
import { prefixMatching } from '../../../probes/scores/prefix-matching';
import { PYTORCH_MODEL, smallscope } from '../../helpers/cli';

/** A [T, T] head attending from every destination p with earlier copies to weights w(p) over its targets. */
function head(T: number, P: number, start: number, spread: boolean): Float64Array {
  const A = new Float64Array(T * T);
  for (let p = 0; p < T; p++) {
    const b = Math.floor((p - start) / P);
    if (p < start + P) {
      A[p * T] = 1;
      continue;
    }
    if (spread) for (let m = 1; m <= b; m++) A[p * T + p - m * P + 1] = 1 / b;
    else A[p * T + p - P + 1] = 1;
  }
  return A;
}

describe('Olsson prefix matching (test vector D)', () => {
  it('period 3 x3 with SOS: most-recent-copy head (a) 0.666667 (b) 1.0 (c) 1.0', () => {
    const r = prefixMatching(head(10, 3, 1, false), 10, 3, 1);
    expect(r.mean_of_entries).toBeCloseTo(0.666667, 6);
    expect(r.all_copies).toBeCloseTo(1, 12);
    expect(r.recent_copy).toBeCloseTo(1, 12);
  });

  it('period 3 x3 with SOS: spread-over-copies head (a) 0.666667 (b) 1.0 (c) 0.75', () => {
    const r = prefixMatching(head(10, 3, 1, true), 10, 3, 1);
    expect(r.mean_of_entries).toBeCloseTo(0.666667, 6);
    expect(r.all_copies).toBeCloseTo(1, 12);
    expect(r.recent_copy).toBeCloseTo(0.75, 12);
  });

  it('period 25 x4: (a) 0.5 for both heads, (b) 1.0, (c) 1.0 and 0.611111', () => {
    const recent = prefixMatching(head(101, 25, 1, false), 101, 25, 1);
    const spread = prefixMatching(head(101, 25, 1, true), 101, 25, 1);
    expect([recent.mean_of_entries, spread.mean_of_entries]).toEqual(
      [0.5, 0.5].map((x) => expect.closeTo(x, 12)),
    );
    expect(recent.all_copies).toBeCloseTo(1, 12);
    expect(spread.all_copies).toBeCloseTo(1, 12);
    expect(recent.recent_copy).toBeCloseTo(1, 12);
    expect(spread.recent_copy).toBeCloseTo(0.611111, 6);
  });
});

describe('OV eigenvalue copying score (test vector E)', () => {
  it('sum(l)/sum(|l|): diag(2,-1) 1/3, I_3 1, rotation 0, [[1,2],[0,-3]] -0.5', () => {
    expect(eigenRatio([2, 0, 0, -1], 2)).toBeCloseTo(0.333333, 6);
    expect(eigenRatio([1, 0, 0, 0, 1, 0, 0, 0, 1], 3)).toBeCloseTo(1, 12);
    expect(eigenRatio([0, -1, 1, 0], 2)).toBeCloseTo(0, 12);
    expect(eigenRatio([1, 2, 0, -3], 2)).toBeCloseTo(-0.5, 12);
  });

  it('a rank-4 50x50 circuit gives the same value from the full matrix and from the 4x4 BA trick', () => {
    const rand = mulberry32(7);
    const a = Float64Array.from({ length: 50 * 4 }, () => rand() * 2 - 1);
    const b = Float64Array.from({ length: 4 * 50 }, () => rand() * 2 - 1);
    const full = eigenRatio(matmul(a, b, 50, 4, 50), 50);
    expect(ovEigenRatio(a, b, 50, 4)).toBeCloseTo(full, 8);
  });
});

describe('Olsson copying evaluator, reconstructed reading (test vector F)', () => {
  const logits = [3, 0, 0, 0, -3];
  it('attended 0, sample {0,1,2}: ratio 0.5, score 1.0; attended 1: ratio 0, score -1', () => {
    expect(copyingRatio(logits, 0, [0, 1, 2])).toBe(0.5);
    expect(copyingScore([copyingRatio(logits, 0, [0, 1, 2])])).toBe(1);
    expect(copyingRatio(logits, 1, [0, 1, 2])).toBe(0);
    expect(copyingScore([copyingRatio(logits, 1, [0, 1, 2])])).toBe(-1);
    expect(copyingRatio(logits, 0, [0, 1, 3])).toBe(0.5);
  });
});

describe('in-context-learning score (test vector G)', () => {
  /** Two-token vocabulary: logits [0, x] at every position give loss log(1 + e^x) for token 0. */
  function logitsWithLosses(T: number, lossAt: (i: number) => number) {
    const data = new Float32Array(T * 2);
    for (let p = 0; p < T - 1; p++) data[p * 2 + 1] = Math.log(Math.exp(lossAt(p + 2)) - 1); // predicts token p+2 (1-based)
    return { dims: [1, T, 2], data };
  }

  it('L(50) = 4.0, L(500) = 3.6: ICL = -0.4 (Key Concepts sign) and +0.4 (Argument 1 prose sign)', () => {
    const T = 512;
    const logits = logitsWithLosses(T, (i) => (i === 50 ? 4.0 : i === 500 ? 3.6 : 1));
    const r = iclScore(logits, [new Array(T).fill(0)], 50, 500);
    expect(r.loss_early).toBeCloseTo(4.0, 5);
    expect(r.loss_late).toBeCloseTo(3.6, 5);
    expect(r.icl).toBeCloseTo(-0.4, 5);
    expect(r.icl_paper_prose).toBeCloseTo(0.4, 5);
  });

  it('clips the default late token to the context and refuses flags outside it', () => {
    expect(iclPositions(64, {})).toMatchObject({ early: 50, late: 64 });
    expect(iclPositions(40, {})).toMatchObject({ early: 4, late: 40 });
    expect(() => iclPositions(40, { late: 41 })).toThrow(/--icl-late 41 is outside the context/);
  });
});

describe('head scores on the PyTorch Conv-Attn export', () => {
  const model = decodeModel(new Uint8Array(readFileSync(PYTORCH_MODEL)));

  it('the OV copying score per tap equals sum(l)/sum(|l|) of the full 256x256 circuit W_E W_tau^T W_V W_U', () => {
    const { taps } = findAttention(model);
    const aw = attentionWeights(model, taps[0]);
    if ('error' in aw) throw new Error(aw.error);
    const e = Float64Array.from(constantTensor(model, 'm.embeddings.weight')!.data);
    const conv = constantTensor(model, 'onnx::Conv_45')!;
    const ov = ovCopying(model, taps)['blocks.0.attn.hook_pattern'][0].by_tap!;
    expect(Object.keys(ov)).toEqual(['prev', 'cur']);
    [0, 1].forEach((tau) => {
      const wtT = new Float64Array(64 * 64); // W_tau^T [in, out]
      for (let o = 0; o < 64; o++)
        for (let i = 0; i < 64; i++) wtT[i * 64 + o] = conv.data[(o * 64 + i) * 3 + tau];
      let m = matmul(e, wtT, 256, 64, 64);
      m = matmul(m, aw.wv!.data, 256, 64, 64);
      m = matmul(m, aw.wu!.data, 256, 64, 256);
      expect(ov[tau === 0 ? 'prev' : 'cur']).toBeCloseTo(eigenRatio(m, 256), 6);
    });
  });

  it('probe heads --json adds prefix matching (equal to the clean induction score for two copies), OV copying and ICL', () => {
    const text = 'qmzkwhrvxdbtnpgjlsyc'.repeat(2); // 20 distinct letters, twice (the model was trained on letters)
    const r = smallscope(
      'probe',
      'heads',
      PYTORCH_MODEL,
      '--text',
      text,
      '--icl-early',
      '5',
      '--icl-late',
      '40',
      '--json',
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const h = doc.heads[0];
    expect(h.prefix_matching).toBeCloseTo(h.induction, 12);
    expect(h.prefix_matching_recent).toBeCloseTo(h.induction, 12);
    expect(Object.keys(h.copying_ov)).toEqual(['prev', 'cur']);
    expect(doc.icl).toMatchObject({ early: 5, late: 40 });
    expect(doc.icl.icl).toBeCloseTo(doc.icl.loss_late - doc.icl.loss_early, 12);
    expect(doc.icl.icl_paper_prose).toBeCloseTo(-doc.icl.icl, 12);
    // an induction head predicts the repeated copy better: the late token's loss is lower
    expect(doc.icl.icl).toBeLessThan(0);
  });
});
