import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createExactProfiler } from '../../../bin/model/exact-field';
import type { FieldResult } from '../../../probes/field/field-probe';
import type { Objective } from '../../../probes/field/objective';
import { theoreticalField } from '../../../probes/field/theory';
import { convStack } from '../../../probes/field/field-probe';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { decodeModel } from '../../../format/onnx/model';
import { initBackend } from '../../../training/backend';
import { weightsFromOnnx } from '../../../training/export/from-onnx';
import { convStackSpec } from '../../../training/arch/conv-stack/spec';
import { makeSpec, type ArchSpec } from '../../../training/models/spec';
import { convStackModel } from '../../helpers/conv-stack';
import { expectUsageError, smallscope } from '../../helpers/cli';
import { bothFields, checkpoint, randomRows } from '../../helpers/own-checkpoint';

/**
 * Exact receptive-field gradients (tf.grad on the tfjs model rebuilt from a smallscope checkpoint) against
 * central finite differences through ONNX Runtime on the same file (PyTorch README tolerance for FD: 1e-2
 * relative), and the exact zeros: after t through causal attention, outside the conv support without it.
 */
beforeAll(async () => {
  await initBackend();
});

/** Worst |fd - exact| / exact over the positions where the exact gradient is non-zero. */
function worstRelative(exact: number[], fd: number[]): number {
  let worst = 0;
  exact.forEach((g, s) => {
    if (g !== 0) worst = Math.max(worst, Math.abs(fd[s] - g) / g);
  });
  return worst;
}

function expectCausal(r: FieldResult, t: number) {
  r.gradient.forEach((g, s) => {
    if (s > t) expect(g).toBe(0);
    else expect(g).toBeGreaterThan(0);
  });
  expect(r.one_sided).toBe(true);
}

const T = 12;
const t = 8;
const objectives: Objective[] = [{ kind: 'sum' }, { kind: 'logit', k: 5 }, { kind: 'loss' }];

describe('probe field: exact gradients for checkpoints smallscope can rebuild', () => {
  it('conv-attn (seed shape): exact = FD within 1e-2 for sum, logit:5 and loss; exactly 0 after t', async () => {
    const bytes = await checkpoint(makeSpec('conv-attn', { d_model: 16, max_seq: 32 }));
    // a row that repeats one token: the exact path tells positions apart, not token ids
    const rows = [...randomRows(2, T, 256), Array.from({ length: T }, (_, i) => (i % 2 ? 7 : 9))];
    for (const objective of objectives) {
      const { exact, fd } = await bothFields(bytes, rows, t, objective);
      expect(exact.method).toBe('exact (tfjs)');
      expect(exact.eps).toBeNull();
      expect(exact.perturbed).toBe(0);
      expect(fd.method).toBe('central finite differences through ONNX Runtime');
      expect(worstRelative(exact.gradient, fd.gradient)).toBeLessThan(1e-2);
      expectCausal(exact, t);
      expectCausal(fd, t);
      expect(exact.theoretical.support).toEqual([-1, 0]);
    }
  });

  const more: [string, ArchSpec][] = [
    [
      'conv-attn, residual, pos-embed, 2 heads',
      makeSpec('conv-attn', { d_model: 16, n_heads: 2, residual: true, pos_embed: true, max_seq: 32 }),
    ],
    ['attn-attn (seed shape)', makeSpec('attn-attn', { d_model: 16, max_seq: 32 })],
    [
      'attn-attn, residual, pos-embed, 2 heads',
      makeSpec('attn-attn', { d_model: 16, n_heads: 2, residual: true, pos_embed: true, max_seq: 32 }),
    ],
  ];
  for (const [label, spec] of more) {
    it(`${label}: exact = FD within 1e-2; exactly 0 after t`, async () => {
      const { exact, fd } = await bothFields(await checkpoint(spec, 11), randomRows(2, T, 256, 5), t, {
        kind: 'sum',
      });
      expect(worstRelative(exact.gradient, fd.gradient)).toBeLessThan(1e-2);
      expectCausal(exact, t);
    });
  }

  it('conv-stack without attention (k=3, dilations 1,2,1, LayerNorm): non-zero exactly on the support [-4, 4], = FD', async () => {
    const spec = convStackSpec({
      layers: 3,
      channels: 8,
      kernel: 3,
      dilation: [1, 2, 1],
      attn: [0, 0, 0],
      norm: 'layer',
      seqLen: 32,
    });
    const bytes = await checkpoint(spec);
    const support = theoreticalField(convStack(decodeModel(bytes))).support;
    expect(support).toEqual([-4, -3, -2, -1, 0, 1, 2, 3, 4]);
    const T2 = 20;
    const t2 = 10;
    const { exact, fd } = await bothFields(
      bytes,
      randomRows(2, T2, 256),
      t2,
      { kind: 'sum' },
      { attention: false },
    );
    exact.gradient.forEach((g, s) => {
      if (support.includes(s - t2)) expect(g).toBeGreaterThan(0);
      else expect(g).toBe(0);
    });
    expect(worstRelative(exact.gradient, fd.gradient)).toBeLessThan(1e-2);
  });

  // With ReLU and sharp QK attention FD's truncation error at eps 1e-2 reaches ~2% next to t (7% at 3e-2,
  // < 5e-4 at 3e-3, shrinking as eps^2): the exact gradient is the reference, FD gets a smaller step here.
  it("conv-stack with the seeds' QK attention (0,T): exact = FD (eps 3e-3) within 1e-2", async () => {
    const spec = convStackSpec({
      layers: 2,
      channels: 8,
      kernel: 3,
      dilation: [1, 1],
      attn: [0, 'T'],
      norm: 'none',
      seqLen: 32,
    });
    const { exact, fd } = await bothFields(
      await checkpoint(spec),
      randomRows(2, T, 256),
      t,
      { kind: 'loss' },
      { eps: 3e-3 },
    );
    expect(worstRelative(exact.gradient, fd.gradient)).toBeLessThan(1e-2);
    expect(exact.gradient.every((g) => g > 0)).toBe(true); // full attention reaches every position
  });
});

describe('probe field: when the exact path is not taken', () => {
  it('a graph without a smallscope manifest cannot be rebuilt', async () => {
    const model = decodeModel(convStackModel(3, [1]).bytes);
    expect(weightsFromOnnx(model)).toEqual({ reason: 'the file has no smallscope manifest' });
    expect(await createExactProfiler(model, 'logits')).toEqual({
      reason: 'the file has no smallscope manifest',
    });
  });

  it('y_t read from another output than the logits is not rebuilt', async () => {
    const model = decodeModel(await checkpoint(makeSpec('conv-attn', { d_model: 8, max_seq: 16 })));
    const r = await createExactProfiler(model, 'blocks.0.hook_conv_out');
    expect('reason' in r && r.reason).toMatch(/not the logits/);
  });

  it('a checkpoint whose graph no longer computes what its initializers say is refused by the check against ONNX Runtime', async () => {
    const bytes = await checkpoint(makeSpec('conv-attn', { d_model: 8, max_seq: 16 }));
    const proto = onnx.ModelProto.decode(bytes);
    // Scale the attention scores differently: same initializers for every parameter, another function.
    const scale = proto.graph!.initializer!.find((i) => i.name === 'sqrt_d_head')!;
    const view = new DataView(scale.rawData!.buffer, scale.rawData!.byteOffset, 4);
    view.setFloat32(0, 0.1, true);
    const altered = onnx.ModelProto.encode(proto).finish();
    const { createEmbeddingRunner } = await import('../../../runtime/node/ort-embeddings');
    const { cutAtEmbedding } = await import('../../../probes/onnx/cut-embedding');
    const { constantTensor } = await import('../../../format/onnx/model');
    const model = decodeModel(altered);
    const cut = cutAtEmbedding(model);
    const runner = await createEmbeddingRunner(cut);
    const r = await createExactProfiler(model, 'logits', {
      runner,
      table: constantTensor(model, cut.table)!,
      rows: randomRows(1, 10, 256),
    });
    await runner.dispose?.();
    expect('reason' in r && r.reason).toMatch(/disagrees with the graph/);
  });
});

describe('smallscope probe field --method', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'smallscope-exact-field-'));
  const tokens = join(scratch, 'tokens.json');
  writeFileSync(tokens, JSON.stringify(randomRows(2, T, 16)));
  const foreign = join(scratch, 'foreign.onnx');
  writeFileSync(foreign, convStackModel(3, [1]).bytes);
  const own = join(scratch, 'conv-attn.onnx');
  beforeAll(async () => {
    writeFileSync(own, await checkpoint(makeSpec('conv-attn', { d_model: 16, max_seq: 32 })));
  });
  const field = (...args: string[]) => {
    const r = smallscope(
      'probe',
      'field',
      ...args,
      '--tokens-file',
      tokens,
      '--position',
      String(t),
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout) as FieldResult;
  };

  it('uses exact gradients by default for a smallscope checkpoint, and finite differences with --method fd', () => {
    const exact = field(own);
    const fd = field(own, '--method', 'fd');
    expect(exact.method).toBe('exact (tfjs)');
    expect(exact.eps).toBeNull();
    expect(fd.method).toBe('central finite differences through ONNX Runtime');
    expect(fd.eps).toBe(1e-2);
    expect(worstRelative(exact.gradient, fd.gradient)).toBeLessThan(1e-2);
    expectCausal(exact, t);
  });

  it('falls back to finite differences (with a note) for a model without a manifest; --method exact refuses it', () => {
    const doc = field(foreign);
    expect(doc.method).toBe('central finite differences through ONNX Runtime');
    expect(doc.notes).toContain(
      'finite differences, not exact gradients: the file has no smallscope manifest',
    );
    expectUsageError(
      smallscope('probe', 'field', foreign, '--method', 'exact'),
      /--method exact: the file has no smallscope manifest/,
    );
    expectUsageError(
      smallscope('probe', 'field', foreign, '--method', 'adjoint'),
      /unknown --method 'adjoint'/,
    );
  });

  it('the human summary names the method', () => {
    const r = smallscope('probe', 'field', own, '--tokens-file', tokens, '--position', String(t));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exact \(tfjs\)/);
    expect(r.stdout).toMatch(new RegExp(`gradient: exact at all ${T} positions; nonzero at ${t + 1}`));
  });
});
