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

  it('inspect opens it: the byte embedding, six causal depthwise convs, the implicit attention of each block', () => {
    const r = smallscope('inspect', path.join(out, 'model.onnx'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const patterns = Array.from({ length: 6 }, (_, l) => `blocks.${l}.attn.hook_pattern`);
    expect(report.outputs.map((o: { name: string }) => o.name)).toEqual(['logits', ...patterns]);
    expect(report.manifest.arch.kind).toBe('mamba');
    expect(report.embedding).toMatchObject({ vocab: 256, d_model: 32 });
    expect(report.attention.found.map((f: { name: string; heads: number }) => [f.name, f.heads])).toEqual(
      patterns.map((p) => [p, 1]),
    );
    expect(report.convs).toHaveLength(6);
  });

  it('probe heads scores the six implicit attention heads (L0H0..L5H0)', () => {
    const r = smallscope('probe', 'heads', path.join(out, 'model.onnx'), '--repeat-random', '8', '--json');
    expect(r.code).toBe(0);
    const heads = JSON.parse(r.stdout).heads as { name: string; induction: number }[];
    expect(heads.map((h) => h.name)).toEqual(['L0H0', 'L1H0', 'L2H0', 'L3H0', 'L4H0', 'L5H0']);
    expect(heads.every((h) => Number.isFinite(h.induction))).toBe(true);
  });

  it('probe field: exact gradients reach the whole prefix, beyond the convs, and nothing later', () => {
    const file = path.join(out, 'model.onnx');
    const r = smallscope('probe', 'field', file, '--seq-len', '24', '--position', '20', '--json');
    expect(r.code).toBe(0);
    const field = JSON.parse(r.stdout);
    expect(field.method).toBe('exact (tfjs graph autodiff)'); // the Scan graph differentiated, checked against ORT
    expect(field.theoretical.support).toEqual(Array.from({ length: 19 }, (_, i) => i - 18)); // 6 convs of 4 taps
    // Positions 0 and 1 are outside the conv support [-18, 0] of position 20: only the scan reaches them.
    expect(field.gradient[0]).toBeGreaterThan(0);
    expect(field.gradient[1]).toBeGreaterThan(0);
    expect(field.gradient.slice(21).every((g: number) => g === 0)).toBe(true); // causal
  });

  it('probe field --without-attention still follows the scan: its patterns are read-outs, not on the path', () => {
    const file = path.join(out, 'model.onnx');
    const r = smallscope(
      'probe',
      'field',
      file,
      '--seq-len',
      '22',
      '--position',
      '20',
      '--without-attention',
      '--json',
    );
    expect(r.code).toBe(0);
    const field = JSON.parse(r.stdout);
    // Exact on the rewired graph: the recurrence reaches every earlier position, not only the conv support.
    expect(field.method).toBe('exact (tfjs graph autodiff)');
    expect(field.gradient[0]).toBeGreaterThan(0); // offset -20, outside the conv support [-18, 0]
    expect(field.gradient[21]).toBe(0);
  });

  it('onnxruntime-web (the page) runs the Scan graph to the logits onnxruntime-node computes', async () => {
    const bytes = readFileSync(path.join(out, 'model.onnx'));
    const tokens = [Array.from({ length: 17 }, (_, i) => (i * 37) % 256)];
    ortWeb.env.wasm.numThreads = 1; // threads do not start under Node
    const session = await ortWeb.InferenceSession.create(bytes);
    const feed = new ortWeb.Tensor('int64', BigInt64Array.from(tokens[0], BigInt), [1, 17]);
    const webOut = await session.run({ tokens: feed });
    const web = webOut.logits.data as Float32Array;
    await session.release();
    const nodeOut = await runOnnx(bytes, tokens);
    const node = nodeOut.logits;
    expect(web.length).toBe(17 * 256);
    expect(maxAbsDiff(web, node)).toBeLessThan(1e-4);
    expect(
      maxAbsDiff(
        webOut['blocks.5.attn.hook_pattern'].data as Float32Array,
        nodeOut['blocks.5.attn.hook_pattern'],
      ),
    ).toBeLessThan(1e-4);
  });
});
