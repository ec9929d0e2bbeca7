import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demoGenerated, PYTORCH_CONV_ATTN } from '../../fixtures/paths';
import { createEmbeddingRunner } from '../../../runtime/node/ort-embeddings';
import { findAttention } from '../../../probes/attention';
import { allOnesErf } from '../../../probes/field/erf';
import { receptiveField, type FieldResult } from '../../../probes/field/field-probe';
import {
  NO_SELF_ATTENTION,
  ablateAttention,
  fieldWithoutAttention,
  withoutAttention,
} from '../../../probes/field/without-attention';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import { decodeModel, type OnnxModel } from '../../../format/onnx/model';
import { logitsOutput } from '../../../probes/runner-capture';
import { convStackModel } from '../../helpers/conv-stack';
import { attentionStack } from '../../helpers/attention-stack';

/**
 * The receptive field with attention taken out (every self-attention pattern replaced by the identity) against
 * closed forms: on linear all-ones conv stacks it is the all-ones ERF of the convs on the output's path, with
 * the definitions' test vectors (PROBE_DEFINITIONS §4.4); on the PyTorch reference Conv-Attn and the demo
 * checkpoint it is the masked kernel-3 conv's support [-1, 0].
 */
const ref = (f: string) => `${PYTORCH_CONV_ATTN}${f}`;
const demo = demoGenerated('conv-attn');

const EPS = 1e-2;
/** the definitions' tolerance for central finite differences with eps 1e-2 */
const FD_REL = 1e-2;

async function pair(model: OnnxModel, tokens: number[][], position: number) {
  const output = logitsOutput(model, cutAtEmbedding(model).vocab) ?? model.outputs[0].name;
  const opts = { output, position, objective: { kind: 'sum' } as const, eps: EPS };
  const cut = cutAtEmbedding(model);
  const runner = await createEmbeddingRunner(cut);
  let withAttn: FieldResult;
  try {
    withAttn = await receptiveField(model, cut.table, runner, tokens, { ...opts, attention: true });
  } finally {
    await runner.dispose?.();
  }
  const ablated = ablateAttention(model);
  const r2 = await createEmbeddingRunner(ablated.cut);
  try {
    return { with: withAttn, without: await fieldWithoutAttention(ablated, r2, tokens, opts) };
  } finally {
    await r2.dispose?.();
  }
}

const row = (T: number, vocab = 8) => [Array.from({ length: T }, (_, i) => (i * 5 + 1) % vocab)];
const offsetsOf = (g: number[], t: number) => g.flatMap((v, s) => (v !== 0 ? [s - t] : []));
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function expectProfile(r: FieldResult, closed: ArrayLike<number>, centre: number) {
  // closed[i] is the derivative at offset i - centre
  r.gradient.forEach((g, s) => {
    const i = s - r.position + centre;
    const want = i >= 0 && i < closed.length ? closed[i] : 0;
    if (want === 0) expect(g).toBe(0);
    else expect(Math.abs(g - want) / want).toBeLessThan(FD_REL);
  });
}

describe('receptive field without attention: closed forms', () => {
  it('k=7 d=1,1,1 under attention: the all-ones ERF [1,3,6,...,37,...,1], R50/R90/R95/R99 2/6/7/8, sigma 3.4641', async () => {
    const model = decodeModel(attentionStack({ kernel: 7, dilations: [1, 1, 1], values: 'conv' }));
    const { with: w, without } = await pair(model, row(40), 20);
    expectProfile(without, allOnesErf([7, 7, 7], [1, 1, 1]), 9);
    expect([without.erf.r50, without.erf.r90, without.erf.r95, without.erf.r99]).toEqual([2, 6, 7, 8]);
    expect(without.erf.sigma).toBeCloseTo(3.4641, 2);
    expect(without.theoretical.radius).toBe(9);
    expect(without.perturbed).toBe(40); // measured everywhere, zeros included
    // with attention the same position reaches the whole row, far past the conv radius
    expect(offsetsOf(w.gradient, 20)).toEqual(range(-20, 19));
    expect(w.theoretical.radius).toBe(9);
  });

  it('k=13 d=5,7,1: the all-ones ERF of length 157, R50/R90/R95/R99 24/54/61/71, sigma 32.4037', async () => {
    const model = decodeModel(attentionStack({ kernel: 13, dilations: [5, 7, 1], values: 'conv' }));
    const { without } = await pair(model, row(177), 88);
    expectProfile(without, allOnesErf([13, 13, 13], [5, 7, 1]), 78);
    expect([without.erf.r50, without.erf.r90, without.erf.r95, without.erf.r99]).toEqual([24, 54, 61, 71]);
    expect(without.erf.sigma).toBeCloseTo(32.4037, 1);
    expect(without.erf_trf_ratio).toBeCloseTo(61 / 78, 12);
  });

  it("seed 000's T layer (q, k from its conv, values its input, residual): only the convs before it count", async () => {
    // h = conv_0(e) (k=7); out = h + A h, A from conv_1(h). Without attention out = 2h: 2 x box(7) on [-3, 3].
    const model = decodeModel(attentionStack({ kernel: 7, dilations: [1, 1], values: 'input' }));
    const { with: w, without } = await pair(model, row(30), 15);
    expectProfile(without, Array<number>(7).fill(2), 3);
    expect(without.theoretical.radius).toBe(3);
    expect(without.theoretical.convs).toBe(1);
    expect(w.theoretical.radius).toBe(6);
    expect(offsetsOf(w.gradient, 15).length).toBe(30);
  });
});

describe('receptive field without attention: real checkpoints', () => {
  for (const [label, path] of [
    ['PyTorch reference (attn.0 output)', ref('conv_attn.onnx')],
    ['PyTorch reference (Softmax inside the graph only)', ref('conv_attn.plain.onnx')],
    ['demo Conv-Attn checkpoint', demo],
  ] as const) {
    it(`${label}: the masked kernel-3 conv alone, offsets -1 and 0`, async () => {
      const model = decodeModel(new Uint8Array(readFileSync(path)));
      const T = 24;
      const tokens = [Array.from(new TextEncoder().encode('abcdefghijkl'.repeat(2)))];
      const { with: w, without } = await pair(model, tokens, T - 1);
      expect(without.theoretical.support).toEqual([-1, 0]);
      expect(offsetsOf(without.gradient, T - 1)).toEqual([-1, 0]);
      expect(without.one_sided).toBe(true);
      expect(without.erf.r99).toBeLessThanOrEqual(1);
      // attention reads back past the conv: the first copy of the repeated letters
      expect(Math.min(...offsetsOf(w.gradient, T - 1))).toBeLessThan(-1);
    });
  }

  it('leaves the model it was given unchanged', () => {
    const model = decodeModel(new Uint8Array(readFileSync(ref('conv_attn.onnx'))));
    const before = model.nodes.map((n) => n.input.join(','));
    const { replaced } = withoutAttention(model);
    expect(replaced).toHaveLength(1);
    expect(model.nodes.map((n) => n.input.join(','))).toEqual(before);
    expect(findAttention(model).taps).toHaveLength(1);
  });

  it('refuses a model with no attention, in one line', () => {
    const model = decodeModel(convStackModel(7, [1, 1, 1]).bytes);
    expect(() => withoutAttention(model)).toThrow('no attention found');
    expect(NO_SELF_ATTENTION).toContain('no self-attention');
  });
});

describe('`smallscope probe field --without-attention`', () => {
  const smallscope = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [fileURLToPath(new URL('../../../bin/smallscope.js', import.meta.url)), ...args],
      {
        encoding: 'utf8',
      },
    );

  it('with --method fd prints the probes’ without-attention profile (the number the field view draws) as JSON', async () => {
    const text = 'abcdefghijkl'.repeat(2);
    const t = text.length - 1;
    const r = smallscope(
      'probe',
      'field',
      ref('conv_attn.onnx'),
      '--text',
      text,
      '--position',
      String(t),
      '--without-attention',
      '--method',
      'fd',
      '--json',
    );
    expect(r.stderr).toBe('');
    const cli = JSON.parse(r.stdout) as FieldResult;
    const model = decodeModel(new Uint8Array(readFileSync(ref('conv_attn.onnx'))));
    const { without } = await pair(model, [Array.from(new TextEncoder().encode(text))], t);
    expect(cli.gradient).toEqual(without.gradient);
    expect(cli.theoretical).toEqual(without.theoretical);
    expect(cli.erf).toEqual(without.erf);
    expect(offsetsOf(cli.gradient, t)).toEqual([-1, 0]);
    expect(cli.notes.some((n) => n.startsWith('attention taken out: 1 pattern(s)'))).toBe(true);
  });

  it('is exact by default (the rewired graph differentiated), = finite differences within 1e-2', () => {
    const args = [
      'probe',
      'field',
      demo,
      '--text',
      'abcdefghijkl'.repeat(2),
      '--without-attention',
      '--json',
    ];
    const exact = JSON.parse(smallscope(...args, '--method', 'exact').stdout) as FieldResult;
    const auto = JSON.parse(smallscope(...args).stdout) as FieldResult;
    const fd = JSON.parse(smallscope(...args, '--method', 'fd').stdout) as FieldResult;
    expect(exact.method).toBe('exact (tfjs graph autodiff)');
    expect(auto.gradient).toEqual(exact.gradient);
    expect(offsetsOf(exact.gradient, exact.position)).toEqual([-1, 0]);
    exact.gradient.forEach((g, s) => expect(Math.abs(fd.gradient[s] - g)).toBeLessThanOrEqual(FD_REL * g));
  });

  it('refuses a model without attention in one line', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smallscope-noattn-')), 'convs.onnx');
    writeFileSync(file, convStackModel(7, [1, 1, 1]).bytes);
    const none = smallscope('probe', 'field', file, '--without-attention');
    expect(none.status).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('no attention found');
  });
});
