import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { attentionPatterns, findAttention } from '../../probes/attention';
import { headScores, type HeadRow } from '../../probes/heads';
import { repeatedRandomTokens } from '../../probes/inputs/repeat-random';
import { findConvs } from '../../probes/onnx/conv-nodes';
import { decodeModel } from '../../format/onnx/model';
import { vocabSize } from '../../probes/onnx/embedding';
import { detectPeriod, type Period } from '../../probes/scores/period';
import { headMatrix } from '../../probes/pattern';
import { readModelFile } from '../../bin/model/files';
import { openProbeSession } from '../../bin/model/probe-session';

/**
 * The probes' own numbers for what a view draws, computed in the test with onnxruntime-node on the same
 * tokens, so the tests compare the page against the probes and not against itself.
 */
export async function nodeHeads(
  path: string,
  tokens: number[][],
  period: Period | null = detectPeriod(tokens[0]),
): Promise<{ heads: HeadRow[]; maps: Map<string, Float32Array> }> {
  const session = await openProbeSession(path);
  try {
    const { patterns } = await attentionPatterns(session.runner, session.taps, tokens);
    const maps = new Map<string, Float32Array>();
    for (const [name, p] of Object.entries(patterns)) {
      const layer = Number(/^blocks\.(\d+)\./.exec(name)![1]);
      for (let h = 0; h < p.dims[1]; h++) maps.set(`${layer}:${h}`, headMatrix(p, 0, h).slice());
    }
    return { heads: headScores(patterns, tokens, period), maps };
  } finally {
    await session.runner.dispose?.();
  }
}

/**
 * The library's standard input (src/lib/standard-input.ts), as the CLI builds it with
 * `probe heads --repeat-random 20 --batch 16 --alphabet abcdefghijklmnopqrstuvwxyz` for a byte model.
 */
export function standardTokens(path: string): number[][] {
  const vocab = vocabSize(decodeModel(readModelFile(path))) ?? 256;
  const letters = Array.from({ length: 26 }, (_, i) => 97 + i);
  return repeatedRandomTokens({
    n: 20,
    batch: 16,
    seed: 0,
    vocab,
    alphabet: vocab === 256 ? letters : undefined,
  });
}

export const onnxNames = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.onnx'))
    .sort();

/** Served checkpoints with attention, and those with a 1-D conv with constant weights. */
export function classify(dir: string): { attention: string[]; conv: string[] } {
  const attention: string[] = [];
  const conv: string[] = [];
  for (const name of onnxNames(dir)) {
    const model = decodeModel(readModelFile(join(dir, name)));
    try {
      findAttention(model);
      attention.push(name);
    } catch {
      // no attention
    }
    if (findConvs(model).some((c) => c.taps !== null)) conv.push(name);
  }
  return { attention, conv };
}
