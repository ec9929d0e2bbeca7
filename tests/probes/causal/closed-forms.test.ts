import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../format/errors';
import { constantTensor, decodeModel } from '../../../format/onnx/model';
import { findAttention } from '../../../probes/attention';
import { ablateHeads } from '../../../probes/causal/ablate';
import { prepareCausal } from '../../../probes/causal/causal-model';
import { directLogitAttribution } from '../../../probes/causal/dla';
import { identityInputs } from '../../../probes/causal/gate-inputs';
import { patchHeads } from '../../../probes/causal/patch';
import type { Runner } from '../../../probes/runner';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { TOY, toyModel, toyWeights } from '../../helpers/causal-toy';
import { tinyModel } from '../../helpers/onnx-builder';
import { demoGenerated, PYTORCH_GPT2, PYTORCH_HF } from '../../fixtures/paths';
import { openCausal } from './open';

/** Closed forms on hand-built graphs and the demo checkpoint: what the causal probes must give exactly. */
const logSumExp = (x: Float32Array) => {
  const max = Math.max(...x);
  return max + Math.log(x.reduce((s, v) => s + Math.exp(v - max), 0));
};
const rows = [
  [1, 4, 2, 6, 3, 5, 0, 2],
  [3, 3, 1, 0, 6, 2, 4, 5],
];
const runners: Runner[] = [];
afterAll(async () => Promise.all(runners.map((r) => r.dispose?.())));
async function open(bytes: Uint8Array | string, dla = false) {
  const c = await openCausal(bytes, { dla });
  runners.push(c.runner);
  return c;
}

describe('head gates', () => {
  for (const [name, file] of [
    ['the two-head toy', toyModel()],
    ['the GPT-2 style export', PYTORCH_GPT2],
  ] as const) {
    it(`${name}: keep = 1, fill = 0 leaves the logits bit for bit as the ungated model's`, async () => {
      const bytes = typeof file === 'string' ? new Uint8Array(readFileSync(file)) : file;
      const { model, runner } = await open(bytes);
      const plain = await createNodeRunner(decodeModel(bytes), bytes);
      runners.push(plain);
      const tokens = typeof file === 'string' ? [[104, 101, 108, 108, 111, 32, 104, 101]] : rows;
      const gated = (await runner.run(tokens, [model.logits], identityInputs(model.gates))).logits.data;
      const original = (await plain.run(tokens, [model.logits])).logits.data;
      expect(Array.from(gated)).toEqual(Array.from(original));
    });
  }
});

describe('ablation', () => {
  it('a head whose z is exactly zero changes nothing, zero or mean ablated', async () => {
    const { model, runner } = await open(toyModel());
    for (const mode of ['zero', 'mean'] as const) {
      const r = await ablateHeads(runner, model, rows, { mode, heads: [{ layer: 0, head: 1 }] });
      expect(r.heads[0].loss_delta).toBe(0);
      expect(r.heads[0].per_token_delta.flat().every((d) => d === 0)).toBe(true);
    }
  });

  it('all heads in one run of H copies equals one run per head (H + 1 forwards either way)', async () => {
    const { model, runner } = await open(PYTORCH_GPT2);
    const tokens = [Array.from('abcdefgabcdefg', (c) => c.charCodeAt(0))];
    const together = await ablateHeads(runner, model, tokens, { mode: 'mean' });
    const apart = await ablateHeads(runner, model, tokens, { mode: 'mean', maxRows: 1 });
    expect(together.runs).toBe(2);
    expect(apart.runs).toBe(together.heads.length + 1);
    expect(apart.heads.map((h) => h.loss)).toEqual(together.heads.map((h) => h.loss));
  });

  it("zero-ablating Conv-Attn's only head leaves logits = b_U: the loss is the unigram cross-entropy of b_U", async () => {
    const demo = demoGenerated('conv-attn');
    const { model, runner } = await open(demo);
    const bU = constantTensor(decodeModel(new Uint8Array(readFileSync(demo))), 'unembed.b_U')!.data;
    const tokens = [Array.from('the cat sat on the mat', (c) => c.charCodeAt(0))];
    const r = await ablateHeads(runner, model, tokens, { mode: 'zero' });
    const expected = tokens[0].slice(1).map((id) => logSumExp(bU) - bU[id]);
    const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
    expect(Math.abs(r.heads[0].loss - mean)).toBeLessThan(1e-5);
  });

  it('where z cannot be separated the pattern is edited, with a note, and zeroing it equals zeroing z', async () => {
    const left = await open(toyModel({ valuesLeft: true }));
    const right = await open(toyModel());
    expect(left.model.gates.map((g) => g.site.kind)).toEqual(['pattern']);
    expect(left.model.notes.join()).toMatch(/z cannot be separated; the pattern is edited instead/);
    const a = await ablateHeads(left.runner, left.model, rows, { mode: 'zero' });
    const b = await ablateHeads(right.runner, right.model, rows, { mode: 'zero' });
    expect(a.heads.map((h) => h.site)).toEqual(['pattern', 'pattern']);
    a.heads.forEach((h, i) => expect(Math.abs(h.loss - b.heads[i].loss)).toBeLessThan(1e-6));
  });

  it('a pattern computed beside the model (nothing reads it on the way to the logits) is refused in one line', () => {
    const found = findAttention(tinyModel({ canonical: true }));
    expect(() => prepareCausal(found, 8)).toThrow(UsageError);
    expect(() => prepareCausal(found, 8)).toThrow(/no attention head can be edited .*does not feed 'logits'/);
  });
});

describe('patching', () => {
  const clean = [[1, 4, 2, 6, 3, 5, 0, 2]];
  const corrupt = [[1, 4, 5, 6, 3, 1, 0, 2]];
  it('without a residual, the one head that carries the input recovers exactly 1 and the zero head 0', async () => {
    const { model, runner } = await open(toyModel({ residual: false }));
    const r = await patchHeads(runner, model, clean, corrupt, { answer: 0, wrong: 1 });
    expect(Math.abs(r.logit_diff.clean - r.logit_diff.corrupt)).toBeGreaterThan(0.01);
    expect(Math.abs(r.table[0][0]! - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.table[0][1]!)).toBe(0);
  });

  it('inputs of different lengths are one UsageError naming both', async () => {
    const { model, runner } = await open(toyModel());
    await expect(patchHeads(runner, model, clean, [[1, 2, 3]])).rejects.toThrow(
      /the clean input has 8 tokens and the corrupted one 3/,
    );
  });
});

describe('direct logit attribution', () => {
  it('with a residual and no LayerNorm: the heads, the embedding path and b_U add up to the logit', async () => {
    const { model, runner } = await open(toyModel(), true);
    const r = await directLogitAttribution(runner, model, rows);
    const w = toyWeights();
    const V = w.bu.length;
    expect(r.heads.map((h) => h.note)).toEqual([null, null]);
    expect(r.heads[1].dla!.flat().every((x) => x === 0)).toBe(true); // z = 0
    rows.forEach((row, b) =>
      row.slice(1).forEach((next, t) => {
        let direct = w.bu[next];
        for (let k = 0; k < TOY.d; k++) direct += w.embed[row[t] * TOY.d + k] * w.wu[k * V + next];
        const sum = r.heads[0].dla![b][t] + r.heads[1].dla![b][t] + direct;
        expect(Math.abs(sum - r.logit[b][t])).toBeLessThan(1e-5);
      }),
    );
  });

  it("Conv-Attn (logits = z W_U + b_U): its head's DLA is the logit less b_U", async () => {
    const demo = demoGenerated('conv-attn');
    const { model, runner } = await open(demo, true);
    const bU = constantTensor(decodeModel(new Uint8Array(readFileSync(demo))), 'unembed.b_U')!.data;
    const tokens = [Array.from('abcdef abcdef', (c) => c.charCodeAt(0))];
    const r = await directLogitAttribution(runner, model, tokens);
    tokens[0].slice(1).forEach((next, t) => {
      expect(Math.abs(r.heads[0].dla![0][t] + bU[next] - r.logit[0][t])).toBeLessThan(1e-4);
    });
  });

  it('a head whose output reaches the logits only through another layer has no DLA, and says why', async () => {
    const demo = demoGenerated('attn-attn');
    const { model, runner } = await open(demo, true);
    const r = await directLogitAttribution(runner, model, [[104, 105, 104, 105]]);
    expect(r.heads.map((h) => h.dla === null)).toEqual([true, false]);
    expect(r.heads[0].note).toMatch(/does not reach the logits through linear maps only/);
  });

  it("reads weights PyTorch's exporter shares through Identity nodes (ln_f.weight = Identity(h.0.ln_1.weight))", async () => {
    const { model, runner } = await open(`${PYTORCH_HF}gpt2_mask/model.onnx`, true);
    const r = await directLogitAttribution(runner, model, [[104, 101, 108, 108, 111, 32, 104, 101]]);
    expect(r.heads).toHaveLength(8);
    expect(r.heads.map((h) => h.note)).toEqual(Array(8).fill(null));
    expect(
      model.dla!.paths.every((p) => typeof p !== 'string' && p.some((s) => s.op === 'layernorm' && s.gamma)),
    ).toBe(true);
  });
});
