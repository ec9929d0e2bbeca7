import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../training/backend';
import { decodeState, encodeState, STATE_FILE } from '../../../training/checkpoint';
import { forward } from '../../../training/models/model';
import {
  disposeParams,
  initParams,
  paramCount,
  paramsFromValues,
  type Params,
} from '../../../training/models/params';
import type { ArchSpec } from '../../../training/models/spec';
import { Rng } from '../../../training/random';
import { countingSpec } from '../../helpers/counting-spec';
import { exportBytes, maxAbsDiff, runOnnx } from '../../helpers/export';
import { PYTORCH_COUNTING_REFERENCE } from '../../fixtures/paths';

/**
 * Seed 004's counting model is the seed's TensorFlow model (greentfrapp/attention-primer 2_difference):
 * one Dense for keys and values, zero-initialised queries, residual + LayerNorm after the cross attention and
 * after the self attention. Checked against closed forms and against the same model written in PyTorch
 * (tests/fixtures/pytorch-counting/seed004.py, values from make.py).
 */
interface Reference {
  texts: string[];
  symbols: string;
  params_seed_defaults: { plain: number; self_att: number };
  models: {
    self_att: boolean;
    hidden: number;
    weights: Record<string, number[]>;
    logits: number[];
    patterns: number[][];
  }[];
}
const ref = JSON.parse(readFileSync(PYTORCH_COUNTING_REFERENCE, 'utf8')) as Reference;
const bytesOf = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

beforeAll(async () => {
  await initBackend();
});

/** The seed's defaults: hidden 64, letters A-C (4 output steps), input length 10; byte tokens. */
const seedSpec = (selfAttn: boolean): ArchSpec => ({ ...countingSpec(selfAttn), d_model: 64 });

function run(spec: ArchSpec, params: Params, texts: string[]) {
  return tf.tidy(() => {
    const out = forward(spec, params, tf.tensor2d(texts.map(bytesOf), undefined, 'int32'));
    return {
      logits: Float32Array.from(out.logits.dataSync()),
      patterns: out.patterns.map((p) => Float32Array.from(p.dataSync())),
    };
  });
}

describe('seed 004 counting model: parameters', () => {
  it("counts the seed's parameters plus the byte embedding rows the one-hot Dense does not have", () => {
    // PyTorch's count of the seed's model at its defaults: 1,419 (1,547 with self-attention). Ours reads
    // bytes, so its Dense is a 256-row embedding table instead of 4 one-hot rows: 252 more rows of 64.
    expect(ref.params_seed_defaults).toEqual({ plain: 1_419, self_att: 1_547 });
    expect(paramCount(seedSpec(false))).toBe(ref.params_seed_defaults.plain + (256 - 4) * 64);
    expect(paramCount(seedSpec(true))).toBe(ref.params_seed_defaults.self_att + (256 - 4) * 64);
    expect(paramCount(seedSpec(false))).toBe(17_547);
    expect(paramCount(seedSpec(true))).toBe(17_675);
  });

  it('starts where the seed starts: zero queries and biases, unit LayerNorm gains, glorot-uniform kernels', async () => {
    const spec = seedSpec(true);
    const p = initParams(spec, new Rng(3));
    const v = Object.fromEntries(
      await Promise.all(Object.entries(p).map(async ([k, t]) => [k, (await t.data()) as Float32Array])),
    ) as Record<string, Float32Array>;
    for (const k of ['queries.W_q', 'embed.b_E', 'unembed.b_U', 'blocks.0.ln.b', 'blocks.1.ln.b'])
      expect(v[k].every((x) => x === 0)).toBe(true);
    for (const k of ['blocks.0.ln.w', 'blocks.1.ln.w']) expect(v[k].every((x) => x === 1)).toBe(true);
    // glorot_uniform bound sqrt(6 / (fan_in + fan_out)); the Dense on the one-hot has fan-in 4 (blank + A-C).
    const bound = (k: string) => Math.max(...v[k].map(Math.abs));
    expect(bound('embed.W_E')).toBeLessThanOrEqual(Math.sqrt(6 / (4 + 64)));
    expect(bound('embed.W_E')).toBeGreaterThan(0.95 * Math.sqrt(6 / (4 + 64)));
    expect(bound('unembed.W_U')).toBeLessThanOrEqual(Math.sqrt(6 / (64 + 11)));
    expect(bound('unembed.W_U')).toBeGreaterThan(0.95 * Math.sqrt(6 / (64 + 11)));
    disposeParams(p);
  });
});

describe('seed 004 counting model: forward pass', () => {
  it('zero queries attend uniformly over the input; the LayerNorm output has zero mean, unit variance', async () => {
    // d_model 11 = the count classes, and an identity head: the logits are the last LayerNorm's output.
    for (const selfAttn of [false, true]) {
      const spec: ArchSpec = { ...countingSpec(selfAttn), d_model: 11 };
      const init = initParams(spec, new Rng(5));
      const values = Object.fromEntries(
        await Promise.all(Object.entries(init).map(async ([k, t]) => [k, (await t.data()) as Float32Array])),
      ) as Record<string, Float32Array>;
      disposeParams(init);
      values['unembed.W_U'] = Float32Array.from({ length: 121 }, (_, i) => (i % 12 === 0 ? 1 : 0));
      const p = paramsFromValues(spec, values);
      const texts = ['AB BC A  C', 'CCCAB  BBA'];
      const { logits, patterns } = run(spec, p, texts);
      // softmax(0 . k / sqrt(d)) = 1/T at every input position, for every output step.
      expect(maxAbsDiff(patterns[0], new Float32Array(2 * 4 * 10).fill(0.1))).toBeLessThan(1e-7);
      texts.forEach((text, b) => {
        // Closed form: LN(mean over positions of (W_E[token] + b_E) + 0), gain 1 and bias 0, eps 1e-12.
        const pre = Array.from({ length: 11 }, (_, j) => {
          let s = 0;
          for (const c of bytesOf(text)) s += values['embed.W_E'][c * 11 + j] + values['embed.b_E'][j];
          return s / text.length;
        });
        const mean = pre.reduce((a, x) => a + x, 0) / 11;
        const sd = Math.sqrt(pre.reduce((a, x) => a + (x - mean) ** 2, 0) / 11 + 1e-12);
        const want = pre.map((x) => (x - mean) / sd);
        for (let s = 0; s < 4; s++) {
          const row = logits.slice((b * 4 + s) * 11, (b * 4 + s + 1) * 11);
          // With self attention the four rows are equal, so it too is uniform, and LN(x + x) = LN(x).
          expect(maxAbsDiff(row, want)).toBeLessThan(1e-5);
          const m = row.reduce((a, x) => a + x, 0) / 11;
          expect(Math.abs(m)).toBeLessThan(1e-6);
          expect(row.reduce((a, x) => a + (x - m) ** 2, 0) / 11).toBeCloseTo(1, 5);
        }
      });
      if (selfAttn)
        expect(maxAbsDiff(patterns[1], new Float32Array(2 * 4 * 4).fill(0.25))).toBeLessThan(1e-6);
      disposeParams(p);
    }
  });

  for (const m of ref.models) {
    const label = m.self_att ? 'with' : 'without';
    it(`${label} self-attention: logits and patterns equal PyTorch's seed model (tfjs and ONNX, 1e-4)`, async () => {
      const spec: ArchSpec = { ...countingSpec(m.self_att), d_model: m.hidden };
      const D = m.hidden;
      // The seed's Dense on a one-hot is a row lookup: row s of key_val_w becomes the embedding of symbol s.
      const W_E = new Float32Array(256 * D);
      Array.from(ref.symbols).forEach((c, s) =>
        W_E.set(m.weights.key_val_w.slice(s * D, (s + 1) * D), c.charCodeAt(0) * D),
      );
      const values: Record<string, Float32Array> = {
        'embed.W_E': W_E,
        'embed.b_E': Float32Array.from(m.weights.key_val_b),
        'queries.W_q': Float32Array.from(m.weights.query),
        'blocks.0.ln.w': Float32Array.from(m.weights['ln.0.w']),
        'blocks.0.ln.b': Float32Array.from(m.weights['ln.0.b']),
        'unembed.W_U': Float32Array.from(m.weights.out_w),
        'unembed.b_U': Float32Array.from(m.weights.out_b),
        ...(m.self_att
          ? {
              'blocks.1.ln.w': Float32Array.from(m.weights['ln.1.w']),
              'blocks.1.ln.b': Float32Array.from(m.weights['ln.1.b']),
            }
          : {}),
      };
      const p = paramsFromValues(spec, values);
      const ours = run(spec, p, ref.texts);
      expect(maxAbsDiff(ours.logits, m.logits)).toBeLessThan(1e-4);
      expect(ours.patterns).toHaveLength(m.patterns.length);
      ours.patterns.forEach((pat, i) => expect(maxAbsDiff(pat, m.patterns[i])).toBeLessThan(1e-5));
      // The patterns are far from uniform, so agreement is not the zero-query case again.
      expect(Math.max(...m.patterns[0]) - Math.min(...m.patterns[0])).toBeGreaterThan(0.1); // uniform: 0
      const onnx = await runOnnx(await exportBytes(spec, p), ref.texts.map(bytesOf));
      expect(maxAbsDiff(onnx.logits, m.logits)).toBeLessThan(1e-4);
      expect(maxAbsDiff(onnx['blocks.0.attn.hook_pattern'], m.patterns[0])).toBeLessThan(1e-5);
      if (m.self_att)
        expect(maxAbsDiff(onnx['blocks.1.attn.hook_pattern'], m.patterns[1])).toBeLessThan(1e-5);
      disposeParams(p);
    });
  }
});

describe('seed 004 counting model: checkpoints of the previous layout', () => {
  it('`train --resume` refuses a pre-#19 state (W_K, W_V, no LayerNorm) in one line, exit 2', () => {
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    const out = join(mkdtempSync(join(tmpdir(), 'smallscope-count-old-')), 'run');
    const smallscope = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/smallscope.js', ...args], { cwd: repo, encoding: 'utf8' });
    const flags = ['train', '--task', 'counting', '--arch', 'counting', '--out', out];
    expect(smallscope(...flags, '--d-model', '16', '--steps', '2').status).toBe(0);
    // The state as the previous layout wrote it: separate key and value matrices, no bias, no LayerNorm.
    const file = join(out, STATE_FILE);
    const state = decodeState<unknown>(readFileSync(file), file);
    const old = (group: Record<string, Float32Array>) => {
      const { 'embed.b_E': _b, 'blocks.0.ln.w': _w, 'blocks.0.ln.b': _lb, ...rest } = group;
      return {
        ...rest,
        'blocks.0.attn.W_K': new Float32Array(256),
        'blocks.0.attn.W_V': new Float32Array(256),
      };
    };
    writeFileSync(
      file,
      encodeState({ ...state, params: old(state.params), m: old(state.m), v: old(state.v) }),
    );
    const r = smallscope(...flags, '--steps', '4', '--resume');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      'holds the pre-#19 counting layout (separate W_K and W_V without bias, no LayerNorm, self-attention without residual): this version cannot resume it; train it again',
    );
  });
});
