import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_KEY, parseManifest } from '../../../format/manifest';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { runOnnx, maxAbsDiff } from '../../helpers/export';
import { smallscope } from '../../helpers/cli';

/**
 * The seed row end to end through the CLI: `smallscope train --arch mamba` on vselcopy writes a checkpoint
 * with the seed's 67,936 parameters, which `inspect` and `probe field` open, and which onnxruntime-web (the
 * runtime of the page) runs to the same logits as onnxruntime-node.
 */
let out = '';
let train: ReturnType<typeof smallscope>;

beforeAll(async () => {
  out = path.join(mkdtempSync(path.join(tmpdir(), 'mamba-cli-')), 'run');
  // Flags of the seed row (issue #19): 6 layers, d_model 32, d_state 16; 2 steps of batch 4.
  train = smallscope(
    'train',
    ...['--task', 'vselcopy', '--items', '26', '--length', '5', '--ops', '2,5', '--val-ops', '5'],
    ...['--arch', 'mamba', '--layers', '6', '--d-model', '32', '--d-state', '16'],
    ...['--batch', '4', '--steps', '2', '--val-batches', '1', '--out', out, '--json'],
  );
}, 300_000);

describe('seed 001 Mamba baseline: smallscope train, inspect, probe field, the page runtime', () => {
  it('trains a few steps on vselcopy and reports the seed row: 67,936 parameters, masked metrics', () => {
    expect(train.stderr).toMatch(/67936 params.*mask error .*sample error/);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout);
    expect(summary).toMatchObject({ steps: 2, params: 67_936 });
    expect(Number.isFinite(summary.val_loss)).toBe(true);
    const model = onnx.ModelProto.decode(readFileSync(path.join(out, 'model.onnx')));
    const manifest = parseManifest(model.metadataProps.find((p) => p.key === MANIFEST_KEY)!.value!);
    expect(manifest.arch).toMatchObject({ kind: 'mamba', layers: 6, d_model: 32, d_state: 16 });
    expect(manifest.params).toBe(67_936);
  });

  it('inspect opens it: logits only, the byte embedding, six causal depthwise convs, no attention', () => {
    const r = smallscope('inspect', path.join(out, 'model.onnx'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outputs.map((o: { name: string }) => o.name)).toEqual(['logits']);
    expect(report.manifest.arch.kind).toBe('mamba');
    expect(report.embedding).toMatchObject({ vocab: 256, d_model: 32 });
    expect(report.attention.found).toEqual([]);
    expect(report.convs).toHaveLength(6);
  });

  it('probe field perturbs every earlier position (the scan reaches the whole prefix) and nothing later', () => {
    const r = smallscope(
      ...['probe', 'field', path.join(out, 'model.onnx')],
      ...['--seq-len', '24', '--position', '20', '--json'],
    );
    expect(r.code).toBe(0);
    const field = JSON.parse(r.stdout);
    expect(field.perturbed).toBe(24); // not only the 19 offsets of the convs' support (2..20)
    expect(field.theoretical.note).toMatch(/recurrence reaches the whole prefix/);
    expect(field.gradient.slice(21).every((g: number) => g === 0)).toBe(true); // causal
    expect(field.gradient[20]).toBeGreaterThan(0);
  });

  it('onnxruntime-web (the page) runs the Scan graph to the logits onnxruntime-node computes', async () => {
    const bytes = readFileSync(path.join(out, 'model.onnx'));
    const tokens = [Array.from({ length: 17 }, (_, i) => (i * 37) % 256)];
    ortWeb.env.wasm.numThreads = 1; // threads do not start under Node
    const session = await ortWeb.InferenceSession.create(bytes);
    const feed = new ortWeb.Tensor('int64', BigInt64Array.from(tokens[0], BigInt), [1, 17]);
    const web = (await session.run({ tokens: feed })).logits.data as Float32Array;
    await session.release();
    const node = (await runOnnx(bytes, tokens)).logits;
    expect(web.length).toBe(17 * 256);
    expect(maxAbsDiff(web, node)).toBeLessThan(1e-4);
  });
});
