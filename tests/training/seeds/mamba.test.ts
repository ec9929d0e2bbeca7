import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../format/errors';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { initBackend } from '../../../training/backend';
import { selectiveScan } from '../../../training/arch/mamba/scan';
import { dims, mambaParams, mambaSpec, type MambaConfig } from '../../../training/arch/mamba/model';
import { forward } from '../../../training/models/model';
import {
  disposeParams,
  initParams,
  paramCount,
  paramDefs,
  paramValues,
} from '../../../training/models/params';
import { Rng } from '../../../training/random';
import { configFromOptions } from '../../../training/run_config';
import { exportBytes, maxAbsDiff, runOnnx } from '../../helpers/export';
import { mambaReference } from '../../helpers/mamba-reference';

beforeAll(async () => {
  await initBackend();
});

const SEED: MambaConfig = { layers: 6, dModel: 32, dState: 16, seqLen: 32 };
const rows = (rng: Rng, B: number, T: number, V = 256) =>
  Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(V)));
const tfLogits = (spec: ReturnType<typeof mambaSpec>, params: ReturnType<typeof initParams>, t: number[][]) =>
  tf.tidy(() =>
    forward(spec, params, tf.tensor2d(t, undefined, 'int32'))
      .logits.dataSync()
      .slice(),
  );

describe('seed 001 Mamba baseline: parameter count', () => {
  it('6 layers, d_model 32, d_state 16 has the 67,936 parameters of the seed row', () => {
    expect(mambaParams(SEED)).toBe(67_936);
    expect(paramCount(mambaSpec(SEED))).toBe(67_936);
    // Per layer: in_proj 2*64*32, conv 64*4 + 64, x_proj (2 + 32)*64, dt_proj 2*64 + 64, A_log 64*16, D 64,
    // out_proj 32*64, norm 32; plus the tied embedding 256*32 and norm_f 32.
    const perLayer = 4096 + 320 + 2176 + 192 + 1024 + 64 + 2048 + 32;
    expect(perLayer).toBe(9_952);
    expect(256 * 32 + 32 + 6 * perLayer).toBe(67_936);
  });

  it("has mamba-minimal's parameter list: expand 2, d_conv 4, dt_rank ceil(d_model/16), no head matrix", () => {
    const defs = paramDefs(mambaSpec(SEED));
    expect(defs.filter((d) => d.name.startsWith('layers.0.')).map((d) => [d.name, d.shape])).toEqual([
      ['layers.0.mixer.in_proj.weight', [128, 32]],
      ['layers.0.mixer.conv1d.weight', [64, 1, 4]],
      ['layers.0.mixer.conv1d.bias', [64]],
      ['layers.0.mixer.x_proj.weight', [34, 64]],
      ['layers.0.mixer.dt_proj.weight', [64, 2]],
      ['layers.0.mixer.dt_proj.bias', [64]],
      ['layers.0.mixer.A_log', [64, 16]],
      ['layers.0.mixer.D', [64]],
      ['layers.0.mixer.out_proj.weight', [32, 64]],
      ['layers.0.norm.weight', [32]],
    ]);
    expect(defs[0]).toMatchObject({ name: 'embed.W_E', shape: [256, 32] });
    expect(defs[defs.length - 1]).toMatchObject({ name: 'norm_f.weight', shape: [32] });
    expect(dims(mambaSpec({ ...SEED, dModel: 33 })).R).toBe(3); // ceil(33 / 16)
    // The closed form agrees with the built list away from the seed row too.
    for (const c of [
      { layers: 2, dModel: 8, dState: 4, seqLen: 8 },
      { layers: 3, dModel: 48, dState: 7, seqLen: 8 },
    ])
      expect(paramCount(mambaSpec(c))).toBe(mambaParams(c));
  });

  it('initialises A_log = log(1..N) per channel, D and the norms to 1, conv weights in U(+-1/2)', async () => {
    const spec = mambaSpec({ layers: 1, dModel: 8, dState: 4, seqLen: 8 });
    const params = initParams(spec, new Rng(1));
    const v = await paramValues(params);
    expect(Array.from(v['layers.0.mixer.A_log'].subarray(12, 16))).toEqual(
      [1, 2, 3, 4].map((n) => Math.fround(Math.log(n))),
    );
    expect(new Set([...v['layers.0.mixer.D'], ...v['layers.0.norm.weight'], ...v['norm_f.weight']])).toEqual(
      new Set([1]),
    );
    expect(Math.max(...v['layers.0.mixer.conv1d.weight'].map(Math.abs))).toBeLessThanOrEqual(0.5);
    disposeParams(params);
  });
});

describe('seed 001 Mamba baseline: the tfjs model computes mamba-minimal', () => {
  it('logits agree within 1e-4 with a float64 loop reference, 2 layers, at two lengths', async () => {
    const spec = mambaSpec({ layers: 2, dModel: 16, dState: 4, seqLen: 12 });
    const params = initParams(spec, new Rng(7));
    const w = await paramValues(params);
    const d = { ...dims(spec), layers: 2, V: 256 };
    const rng = new Rng(3);
    for (const T of [5, 12]) {
      const tokens = rows(rng, 2, T);
      const got = tfLogits(spec, params, tokens);
      const want = tokens.flatMap((row) => mambaReference(w, d, row).flat());
      expect(maxAbsDiff(got, want)).toBeLessThan(1e-4);
    }
    disposeParams(params);
  });

  it('is causal: changing token t leaves the logits before t unchanged and changes those from t on', () => {
    const spec = mambaSpec({ layers: 2, dModel: 16, dState: 4, seqLen: 10 });
    const params = initParams(spec, new Rng(4));
    const a = rows(new Rng(5), 1, 10);
    const b = [a[0].map((v, i) => (i === 6 ? (v + 1) % 256 : v))];
    const [la, lb] = [tfLogits(spec, params, a), tfLogits(spec, params, b)];
    expect(maxAbsDiff(la.slice(0, 6 * 256), lb.slice(0, 6 * 256))).toBe(0);
    expect(maxAbsDiff(la.slice(6 * 256), lb.slice(6 * 256))).toBeGreaterThan(1e-3);
    disposeParams(params);
  });

  it('tfjs gradients of a tiny Mamba match central finite differences', async () => {
    const spec = mambaSpec({ layers: 2, dModel: 4, dState: 3, seqLen: 5, vocab: 7 });
    const params = initParams(spec, new Rng(3));
    const tokens = tf.tensor2d([[1, 4, 2, 6, 0]], undefined, 'int32');
    const weights = tf.tensor3d(
      Array.from({ length: 5 * 7 }, (_, i) => Math.sin(i * 1.7)),
      [1, 5, 7],
    ); // loss = sum(logits * weights), a fixed projection
    const loss = () => tf.sum(tf.mul(forward(spec, params, tokens).logits, weights)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss);
    const eps = 1e-2;
    let checked = 0;
    for (const name of [
      'embed.W_E',
      'layers.0.mixer.in_proj.weight',
      'layers.0.mixer.conv1d.weight',
      'layers.0.mixer.x_proj.weight',
      'layers.0.mixer.dt_proj.bias',
      'layers.1.mixer.A_log',
      'layers.1.mixer.D',
      'layers.1.norm.weight',
      'norm_f.weight',
    ]) {
      const v = params[name];
      const g = (await grads[v.name].data()) as Float32Array;
      const base = (await v.data()) as Float32Array;
      for (const i of [0, base.length - 1]) {
        const at = (dv: number) => {
          const x = base.slice();
          x[i] += dv;
          v.assign(tf.tensor(x, v.shape));
          return tf.tidy(() => loss().dataSync()[0]);
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(g[i]));
        checked++;
      }
    }
    expect(checked).toBe(18);
    Object.values(grads).forEach((t) => t.dispose());
    tokens.dispose();
    weights.dispose();
    disposeParams(params);
  });
});

describe('seed 001 Mamba baseline: the selective scan op', () => {
  it('computes h_t = a_t h_{t-1} + b_t per batch row, and its gradients match finite differences', async () => {
    const [B, T, E, N] = [2, 4, 3, 2];
    const size = B * T * E * N;
    const a = tf.tensor4d(
      Array.from({ length: size }, (_, i) => 0.5 + 0.4 * Math.sin(i)),
      [B, T, E, N],
    );
    const b = tf.tensor4d(
      Array.from({ length: size }, (_, i) => Math.cos(1.3 * i)),
      [B, T, E, N],
    );
    const wts = tf.tensor4d(
      Array.from({ length: size }, (_, i) => Math.sin(0.7 * i + 1)),
      [B, T, E, N],
    );
    const [av, bv] = [a.dataSync(), b.dataSync()];
    const h = selectiveScan(a, b).dataSync();
    // The recurrence element by element, from h_{-1} = 0, separately for each batch row.
    for (let n = 0; n < B; n++)
      for (let j = 0; j < E * N; j++) {
        let want = 0;
        for (let t = 0; t < T; t++) {
          const i = (n * T + t) * E * N + j;
          want = av[i] * want + bv[i];
          expect(h[i]).toBeCloseTo(want, 5);
        }
      }
    const loss = (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(selectiveScan(x as tf.Tensor4D, y as tf.Tensor4D), wts)) as tf.Scalar;
    const [ga, gb] = tf
      .grads(loss)([a, b])
      .map((g) => g.dataSync());
    const eps = 1e-2;
    for (const i of [0, 7, size / 2 + 5, size - 1]) {
      const bump = (x: tf.Tensor4D, d: number) => {
        const v = x.dataSync().slice();
        v[i] += d;
        return tf.tensor4d(v, [B, T, E, N]);
      };
      const fdA = (loss(bump(a, eps), b).dataSync()[0] - loss(bump(a, -eps), b).dataSync()[0]) / (2 * eps);
      const fdB = (loss(a, bump(b, eps)).dataSync()[0] - loss(a, bump(b, -eps)).dataSync()[0]) / (2 * eps);
      expect(ga[i]).toBeCloseTo(fdA, 3);
      expect(gb[i]).toBeCloseTo(fdB, 3);
    }
  });
});

describe('seed 001 Mamba baseline: the exported ONNX graph computes what the tfjs model computes', () => {
  it.each([
    [2, 8, 4],
    [6, 32, 16],
  ])(
    '%i layers, d_model %i, d_state %i: logits agree within 1e-4 at two lengths, one Scan node per layer',
    async (layers, dModel, dState) => {
      const spec = mambaSpec({ layers, dModel, dState, seqLen: 24 });
      const params = initParams(spec, new Rng(5));
      const rng = new Rng(2);
      const bytes = await exportBytes(spec, params);
      const model = onnx.ModelProto.decode(bytes);
      expect(model.graph!.node!.filter((n) => n.opType === 'Scan')).toHaveLength(layers);
      for (const T of [13, 24]) {
        const tokens = rows(rng, 2, T);
        const out = await runOnnx(bytes, tokens);
        // logits, then each block's implicit attention (tests/training/seeds/mamba-hidden-attention.test.ts)
        expect(Object.keys(out)).toEqual([
          'logits',
          ...Array.from({ length: layers }, (_, l) => `blocks.${l}.attn.hook_pattern`),
        ]);
        expect(maxAbsDiff(out.logits, tfLogits(spec, params, tokens))).toBeLessThan(1e-4);
      }
      disposeParams(params);
    },
  );
});

const base = {
  task: 'vselcopy',
  arch: 'mamba',
  out: '/tmp/never-written',
  seqLen: 64,
  batch: 4,
  steps: 2,
  lr: 1e-3,
  warmup: 0.1,
  weightDecay: 0.01,
  seed: 0,
  dModel: 32,
  heads: 1,
};

describe('seed 001 Mamba baseline: configuration', () => {
  it('defaults to the seed row at --d-model 32: 6 layers, d_state 16, 67,936 parameters', () => {
    const cfg = configFromOptions(base);
    expect(cfg.arch).toMatchObject({
      kind: 'mamba',
      layers: 6,
      d_model: 32,
      d_state: 16,
      expand: 2,
      d_conv: 4,
    });
    expect(paramCount(cfg.arch)).toBe(67_936);
  });

  const refused: [string, Record<string, unknown>, RegExp][] = [
    ['--d-state 0', { dState: 0 }, /--d-state must be >= 1, got 0/],
    ['--layers 0', { layers: 0 }, /--layers must be >= 1, got 0/],
    ['--d-state on an LSTM', { arch: 'lstm', dState: 16 }, /--d-state belongs to --arch mamba/],
    ['--hidden on a Mamba', { hidden: 64 }, /--hidden belongs to --arch lstm/],
  ];
  for (const [what, opts, msg] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => configFromOptions({ ...base, ...opts })).toThrow(UsageError);
      expect(() => configFromOptions({ ...base, ...opts })).toThrow(msg);
    });
  }
});
