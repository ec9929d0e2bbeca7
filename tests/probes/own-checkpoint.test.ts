import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { tapStats, type TapStats } from '../../format/conv/tap-stats';
import type { ConvWeight } from '../../format/conv/conv-weight';
import { decodeModel } from '../../format/onnx/model';
import type { Manifest } from '../../format/manifest';
import { initBackend } from '../../training/backend';
import { decodeState } from '../../training/checkpoint';
import { weightsFromOnnx } from '../../training/export/from-onnx';
import { forward } from '../../training/models/model';
import { disposeParams, paramsFromValues } from '../../training/models/params';
import { smallscope } from '../helpers/cli';
import { randomRows } from '../helpers/own-checkpoint';

/**
 * "The same holds for checkpoints that smallscope trains itself": a Conv-Attn trained by `smallscope train`
 * (20 steps, 2 heads), probed through the CLI's JSON, against what the tfjs model computes from the training
 * state's own (raw, unmasked) parameters.
 */
const dir = mkdtempSync(join(tmpdir(), 'smallscope-own-'));
const run = join(dir, 'run');
const ckpt = join(run, 'model.onnx');
const n = 7; // block length: each row is a random block typed twice
const rows = randomRows(3, n, 256, 21).map((b) => [...b, ...b]);
const T = 2 * n;
const tokensFile = join(dir, 'tokens.json');
writeFileSync(tokensFile, JSON.stringify(rows));

let manifest: Manifest;
let raw: Record<string, Float32Array>;
let patterns: Float32Array[]; // per layer, [batch, head, query, key] from the tfjs forward pass

function cli(...args: string[]) {
  const r = smallscope(...args, '--json');
  if (args[0] !== 'train') expect(r.stderr).toBe(''); // train reports progress on stderr
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  // prettier-ignore
  cli('train', '--arch', 'conv-attn', '--task', 'text', '--out', run, '--d-model', '16', '--heads', '2',
    '--seq-len', '16', '--batch', '4', '--steps', '20', '--lr', '1e-2', '--seed', '3');
  manifest = decodeModel(new Uint8Array(readFileSync(ckpt))).manifest!;
  raw = decodeState(new Uint8Array(readFileSync(join(run, 'train_state.bin'))), 'state').params;
  await initBackend();
  const params = paramsFromValues(manifest.arch, raw);
  patterns = tf.tidy(() =>
    forward(manifest.arch, params, tf.tensor2d(rows, [rows.length, T], 'int32')).patterns.map((p) =>
      p.dataSync(),
    ),
  ) as Float32Array[];
  disposeParams(params);
}, 120_000);

/** The conv weight [3, in, out] (tap-major) as the probes' ConvWeight [out][in][tap], optionally masked. */
function convWeight(W: Float32Array, D: number, masked: boolean): ConvWeight {
  const data = new Float64Array(D * D * 3);
  for (let tap = 0; tap < 3; tap++)
    for (let i = 0; i < D; i++)
      for (let o = 0; o < D; o++)
        data[(o * D + i) * 3 + tap] = masked && tap === 2 ? 0 : W[(tap * D + i) * D + o];
  return { out: D, in: D, kernel: 3, data, offsets: [-1, 0, 1] };
}

describe('probes on a checkpoint smallscope trained itself', () => {
  it('the checkpoint is a trained 2-head Conv-Attn whose raw future tap is not zero', () => {
    expect(manifest.arch).toMatchObject({ kind: 'conv-attn', d_model: 16, n_heads: 2 });
    expect(manifest.step).toBe(20);
    const fut = tapStats(convWeight(raw['blocks.0.conv.W'], 16, false))[2];
    expect(fut.fro).toBeGreaterThan(0);
  });

  it("the initializers give back the training state's parameters (future tap: zeros, as the graph stores it)", () => {
    const w = weightsFromOnnx(decodeModel(new Uint8Array(readFileSync(ckpt))));
    if ('reason' in w) throw new Error(w.reason);
    expect(w.spec).toEqual(manifest.arch);
    for (const [name, v] of Object.entries(raw)) {
      const want =
        name === 'blocks.0.conv.W' ? Float32Array.from(v, (x, i) => (i >= (2 * v.length) / 3 ? 0 : x)) : v;
      expect(w.values[name]).toEqual(want);
    }
  });

  it('probe attention: every pattern equals the tfjs forward pass within 1e-4', () => {
    const doc = cli('probe', 'attention', ckpt, '--tokens-file', tokensFile);
    expect(doc.tokens).toEqual(rows);
    const got: number[] = doc.patterns['blocks.0.attn.hook_pattern'].flat(3);
    expect(got.length).toBe(rows.length * 2 * T * T);
    let worst = 0;
    got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - patterns[0][i]))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('probe heads: induction equals mean_{i=n..2n-1} A[i, i-n+1] over the batch of the tfjs patterns within 1e-5', () => {
    const doc = cli('probe', 'heads', ckpt, '--tokens-file', tokensFile);
    expect(doc.period).toMatchObject({ n, start: 0 });
    for (let h = 0; h < 2; h++) {
      let s = 0;
      for (let b = 0; b < rows.length; b++)
        for (let i = n; i < 2 * n; i++)
          s += patterns[0][((b * 2 + h) * T + i) * T + i - n + 1] / (n * rows.length);
      const row = doc.heads.find((r: { name: string }) => r.name === `L0H${h}`);
      expect(Math.abs(row.induction - s)).toBeLessThan(1e-5);
    }
  });

  it("probe filters: taps = tapStats of the masked tfjs conv weight, raw_taps = the raw weight's (conv_raw_stats), within 1e-6", () => {
    const doc = cli('probe', 'filters', ckpt);
    expect(doc.convs).toHaveLength(1);
    const conv = doc.convs[0];
    expect(conv.offsets).toEqual([-1, 0, 1]);
    expect(conv.causal).toBe(true);
    const close = (got: Record<string, number>, want: Record<string, number>, keys: string[]) => {
      for (const k of keys) expect(Math.abs(got[k] - want[k]), k).toBeLessThan(1e-6);
    };
    const masked = tapStats(convWeight(raw['blocks.0.conv.W'], 16, true));
    const statKeys = [
      'max',
      'min',
      'q75',
      'q90',
      'mean',
      'std',
      'abs_q50',
      'abs_q90',
      'abs_q99',
      'fro',
      'energy_share',
    ];
    conv.taps.forEach((tap: TapStats, i: number) => {
      expect(tap.offset).toBe(masked[i].offset);
      close(
        tap as unknown as Record<string, number>,
        masked[i] as unknown as Record<string, number>,
        statKeys,
      );
    });
    expect(conv.taps[2].fro).toBe(0);

    // raw_taps come from the manifest (conv_raw_stats), computed by the same tapStats as the graph taps.
    const rawStats = tapStats(convWeight(raw['blocks.0.conv.W'], 16, false));
    expect(conv.raw_taps).toHaveLength(3);
    conv.raw_taps.forEach((tap: Record<string, number>, i: number) => {
      expect(tap.offset).toBe(rawStats[i].offset);
      const want = rawStats[i] as unknown as Record<string, number>;
      close(tap, want, ['max', 'min', 'q75', 'q90', 'mean', 'std']);
      close(tap, manifest.conv_raw_stats!['blocks.0.conv'][i] as unknown as Record<string, number>, [
        'max',
        'min',
        'q75',
        'q90',
        'mean',
        'std',
      ]);
    });
    expect(conv.raw_taps[2].max).toBeGreaterThan(0); // the raw future tap is not the graph's zeros
  });

  it('probe field: exact by default, equal to finite differences within 1e-2, and exactly 0 after t', () => {
    const exact = cli('probe', 'field', ckpt, '--tokens-file', tokensFile, '--position', '9');
    const fd = cli('probe', 'field', ckpt, '--tokens-file', tokensFile, '--position', '9', '--method', 'fd');
    expect(exact.method).toBe('exact (tfjs graph autodiff)');
    exact.gradient.forEach((g: number, s: number) => {
      if (s > 9) expect(g).toBe(0);
      else expect(Math.abs(fd.gradient[s] - g) / g).toBeLessThan(1e-2);
    });
  });
});
