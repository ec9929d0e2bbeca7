import * as ort from 'onnxruntime-node';
import { buildManifest } from '../../training/export/manifest';
import { buildOnnx } from '../../training/export/onnx';
import { paramCount, paramValues, type Params } from '../../training/models/params';
import type { ArchSpec } from '../../training/models/spec';

/** Export params to ONNX bytes with a minimal valid manifest. */
export async function exportBytes(spec: ArchSpec, params: Params): Promise<Uint8Array> {
  const weights = await paramValues(params);
  const manifest = buildManifest({
    name: 'test',
    arch: spec,
    task: { name: 'text' },
    training: { seed: 0, steps: 0, batch: 1, seq_len: 8, lr: 0, warmup: 0, weight_decay: 0, backend: 'test' },
    step: 0,
    params: paramCount(spec),
    history: [],
    weights,
  });
  return buildOnnx(spec, weights, manifest);
}

/** Run an ONNX model on token rows; returns every output as a flat Float32Array. */
export async function runOnnx(bytes: Uint8Array, tokens: number[][]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const feed = new ort.Tensor(
    'int64',
    BigInt64Array.from(tokens.flat(), (t) => BigInt(t)),
    [tokens.length, tokens[0].length],
  );
  const outs = await session.run({ tokens: feed });
  const res: Record<string, Float32Array> = {};
  for (const name of session.outputNames) res[name] = outs[name].data as Float32Array;
  await session.release();
  return res;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
