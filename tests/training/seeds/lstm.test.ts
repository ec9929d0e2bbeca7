import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../format/errors';
import { MANIFEST_KEY, parseManifest } from '../../../format/manifest';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { initBackend } from '../../../training/backend';
import { torchToOnnxGates } from '../../../training/arch/lstm/onnx';
import { lstmParams, lstmSpec } from '../../../training/arch/lstm/model';
import { forward } from '../../../training/models/model';
import { disposeParams, initParams, paramCount, paramDefs } from '../../../training/models/params';
import { Rng } from '../../../training/random';
import { configFromOptions } from '../../../training/run_config';
import { exportBytes, maxAbsDiff, runOnnx } from '../../helpers/export';

const run = promisify(execFile);
const bin = path.resolve('bin/smallscope.js');

async function smallscope(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], {
      env: { ...process.env, SMALLSCOPE_DEBUG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  await initBackend();
});

describe('seed 001 LSTM baseline: parameter count', () => {
  it('6 layers, hidden 64 has the 216,064 parameters of the seed row (unidirectional, head tied to the embedding)', () => {
    const spec = lstmSpec({ layers: 6, hidden: 64, seqLen: 32 });
    expect(lstmParams({ layers: 6, hidden: 64, seqLen: 32 })).toBe(216_064);
    expect(paramCount(spec)).toBe(216_064);
    // PyTorch nn.LSTM(64, 64, num_layers=6): 4H(in + H) + 8H per layer, plus one [256, 64] embedding.
    expect(256 * 64 + 6 * (4 * 64 * (64 + 64) + 8 * 64)).toBe(216_064);
    expect(
      paramDefs(spec)
        .map((d) => d.name)
        .slice(0, 5),
    ).toEqual(['embed.W_E', 'lstm.weight_ih_l0', 'lstm.weight_hh_l0', 'lstm.bias_ih_l0', 'lstm.bias_hh_l0']);
  });

  it('initialises every LSTM weight and bias from U(-1/sqrt(H), 1/sqrt(H))', async () => {
    const spec = lstmSpec({ layers: 2, hidden: 16, seqLen: 8 });
    const params = initParams(spec, new Rng(1));
    for (const [name, v] of Object.entries(params)) {
      if (!name.startsWith('lstm.')) continue;
      const d = (await v.data()) as Float32Array;
      expect(Math.max(...d.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(16));
    }
    disposeParams(params);
  });

  it('reorders PyTorch gates i, f, g, o into ONNX gates i, o, f, c', () => {
    const a = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]); // H = 1, 2 columns: gate k holds value k
    expect(Array.from(torchToOnnxGates(a, 1, 2))).toEqual([0, 0, 3, 3, 1, 1, 2, 2]);
  });
});

describe('seed 001 LSTM baseline: the exported ONNX graph computes what the tfjs model computes', () => {
  it.each([
    [3, 8],
    [6, 64],
  ])(
    '%i layers, hidden %i: logits agree within 1e-4 at two lengths, no attention outputs, ONNX LSTM nodes',
    async (layers, hidden) => {
      const spec = lstmSpec({ layers, hidden, seqLen: 24 });
      const params = initParams(spec, new Rng(5));
      const rng = new Rng(2);
      const bytes = await exportBytes(spec, params);
      const model = onnx.ModelProto.decode(bytes);
      expect(model.graph!.node!.filter((n) => n.opType === 'LSTM')).toHaveLength(layers);
      for (const T of [13, 24]) {
        const tokens = Array.from({ length: 2 }, () => Array.from({ length: T }, () => 32 + rng.int(64)));
        const ref = tf.tidy(() =>
          forward(spec, params, tf.tensor2d(tokens, undefined, 'int32'))
            .logits.dataSync()
            .slice(),
        );
        const out = await runOnnx(bytes, tokens);
        expect(Object.keys(out)).toEqual(['logits']);
        expect(maxAbsDiff(out.logits, ref)).toBeLessThan(1e-4);
      }
      disposeParams(params);
    },
  );
});

describe('seed 001 LSTM baseline: gradients', () => {
  it('tfjs gradients of a tiny LSTM match central finite differences', async () => {
    const spec = lstmSpec({ layers: 2, hidden: 3, seqLen: 5, vocab: 7 });
    const params = initParams(spec, new Rng(3));
    const tokens = tf.tensor2d(
      [
        [1, 4, 2, 6, 0],
        [3, 3, 5, 1, 2],
      ],
      undefined,
      'int32',
    );
    const weights = tf.tensor3d(
      Array.from({ length: 2 * 5 * 7 }, (_, i) => Math.sin(i * 1.7)),
      [2, 5, 7],
    ); // a fixed projection of the logits: loss = sum(logits * weights)
    const loss = () => tf.sum(tf.mul(forward(spec, params, tokens).logits, weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss);
    const eps = 1e-2;
    let checked = 0;
    for (const name of [
      'embed.W_E',
      'lstm.weight_ih_l0',
      'lstm.weight_hh_l0',
      'lstm.bias_hh_l1',
      'lstm.weight_hh_l1',
    ]) {
      const v = params[name];
      const g = (await grads[v.name].data()) as Float32Array; // keyed by the (unique) variable name
      const base = (await v.data()) as Float32Array;
      for (const i of [0, 5, base.length - 1]) {
        const at = (d: number) => {
          const w = base.slice();
          w[i] += d;
          v.assign(tf.tensor(w, v.shape));
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(g[i]));
        checked++;
      }
    }
    expect(checked).toBe(15);
    Object.values(grads).forEach((t) => t.dispose());
    tokens.dispose();
    weights.dispose();
    disposeParams(params);
  });
});

const base = {
  task: 'vselcopy',
  arch: 'lstm',
  out: '/tmp/never-written',
  seqLen: 64,
  batch: 4,
  steps: 2,
  lr: 1e-3,
  warmup: 0.1,
  weightDecay: 0.01,
  seed: 0,
  dModel: 64,
  heads: 1,
};

describe('seed 001 LSTM baseline: configuration', () => {
  it('defaults to the seed row: 6 layers, hidden 64', () => {
    const cfg = configFromOptions(base);
    expect(cfg.arch).toMatchObject({ kind: 'lstm', layers: 6, d_model: 64 });
    expect(paramCount(cfg.arch)).toBe(216_064);
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['--hidden 0', { hidden: 0 }, /--hidden must be >= 1, got 0/],
    ['--layers 0', { layers: 0 }, /--layers must be >= 1, got 0/],
    ['conv-stack flags on an LSTM', { dilation: '1,2' }, /--dilation and --attn belong to --arch conv-stack/],
    ['--hidden on a conv stack', { arch: 'conv-stack', hidden: 32 }, /--hidden belongs to --arch lstm/],
  ];
  for (const [what, opts, msg] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => configFromOptions({ ...base, ...opts })).toThrow(UsageError);
      expect(() => configFromOptions({ ...base, ...opts })).toThrow(msg);
    });
  }

  it('the CLI refuses --hidden 0 with one line and exit 2, writing no run folder', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'lstm-')), 'run');
    const r = await smallscope([
      'train',
      '--task',
      'vselcopy',
      '--arch',
      'lstm',
      '--hidden',
      '0',
      '--out',
      out,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--hidden must be an integer >= 1/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('seed 001 LSTM baseline: smallscope train and inspect', () => {
  it('trains a few steps on vselcopy with the masked metrics; the checkpoint inspects cleanly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lstm-train-'));
    const out = path.join(dir, 'run');
    const r = await smallscope([
      'train',
      '--task',
      'vselcopy',
      '--items',
      '26',
      '--length',
      '5',
      '--ops',
      '2,5',
      '--val-ops',
      '5',
      '--arch',
      'lstm',
      '--layers',
      '6',
      '--hidden',
      '64',
      '--batch',
      '4',
      '--steps',
      '2',
      '--val-batches',
      '1',
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).toMatch(/mask error .*sample error/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ steps: 2, params: 216_064 });
    expect(Number.isFinite(summary.val_loss)).toBe(true);
    expect(summary.mask_error).toBeGreaterThanOrEqual(0);
    expect(summary.sample_error).toBeGreaterThanOrEqual(0);
    const model = onnx.ModelProto.decode(readFileSync(path.join(out, 'model.onnx')));
    const manifest = parseManifest(model.metadataProps.find((p) => p.key === MANIFEST_KEY)!.value!);
    expect(manifest.arch).toMatchObject({ kind: 'lstm', layers: 6, d_model: 64 });
    expect(manifest.params).toBe(216_064);

    const ins = await smallscope(['inspect', path.join(out, 'model.onnx'), '--json']);
    expect(ins.code).toBe(0);
    const report = JSON.parse(ins.stdout);
    expect(report.outputs.map((o: { name: string }) => o.name)).toEqual(['logits']);
    expect(report.manifest.arch.kind).toBe('lstm');
    expect(report.embedding).toMatchObject({ vocab: 256, d_model: 64 });
    expect(report.attention.found).toEqual([]); // no attention and no conv: reported as not found, not an error
    expect(report.convs).toEqual([]);
  }, 120_000);
});
