import * as ort from 'onnxruntime-node';
import { PATTERN_RE } from '../probes/manifest';
import { Rng } from './random';

/**
 * The demo's induction check, run on a written checkpoint with ONNX Runtime (the same graph the probes see):
 * `count` sequences, each a block of `n` distinct random lowercase letters repeated twice (no BOS). An
 * induction head at query i in the second copy attends to the position right after the earlier occurrence
 * of token i, i.e. key i - n + 1. Score per head = mean over sequences of mean_{i=n..2n-1} A[i, i-n+1].
 *
 *   npx tsx training/induction.ts runs/demo-conv-attn/model.onnx
 */
export function repeatedLetters(count: number, n: number, seed = 0): number[][] {
  const rng = new Rng(seed);
  const letters = Array.from({ length: 26 }, (_, i) => 97 + i);
  return Array.from({ length: count }, () => {
    const block = rng.sample(letters, n);
    return [...block, ...block];
  });
}

export interface HeadScore {
  output: string;
  layer: number;
  head: number;
  induction: number;
}

export async function inductionScores(
  model: string | Uint8Array,
  count = 16,
  n = 20,
  seed = 0,
): Promise<HeadScore[]> {
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model)
      : await ort.InferenceSession.create(model);
  const seqs = repeatedLetters(count, n, seed);
  const T = 2 * n;
  const tokens = new ort.Tensor(
    'int64',
    BigInt64Array.from(seqs.flat(), (t) => BigInt(t)),
    [count, T],
  );
  const outs = await session.run({ tokens });
  const scores: HeadScore[] = [];
  for (const name of session.outputNames) {
    const m = PATTERN_RE.exec(name);
    if (!m) continue;
    const t = outs[name];
    const H = Number(t.dims[1]);
    const a = t.data as Float32Array; // [batch, head, query, key]
    for (let h = 0; h < H; h++) {
      let sum = 0;
      for (let b = 0; b < count; b++) {
        let s = 0;
        for (let i = n; i < T; i++) s += a[((b * H + h) * T + i) * T + (i - n + 1)];
        sum += s / n;
      }
      scores.push({ output: name, layer: Number(m[1]), head: h, induction: sum / count });
    }
  }
  await session.release();
  return scores;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: npx tsx training/induction.ts MODEL.onnx\n');
    process.exit(2);
  }
  const scores = await inductionScores(file);
  for (const s of scores)
    process.stdout.write(`${s.output} head ${s.head}: induction ${s.induction.toFixed(4)}\n`);
  process.stdout.write(`max ${Math.max(...scores.map((s) => s.induction)).toFixed(4)}\n`);
}
