import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddingGraph } from '../../../bin/model/graph-exact';
import type { FieldResult } from '../../../probes/field/field-probe';
import type { Objective } from '../../../probes/field/objective';
import { theoreticalField } from '../../../probes/field/theory';
import { convStack } from '../../../probes/field/field-probe';
import { onnx } from '../../../format/onnx/gen/onnx.js';
import { decodeModel } from '../../../format/onnx/model';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import type { Runner } from '../../../probes/runner';
import { initBackend } from '../../../training/backend';
import { convStackSpec } from '../../../training/arch/conv-stack/spec';
import { lstmSpec } from '../../../training/arch/lstm/model';
import { mambaSpec } from '../../../training/arch/mamba/model';
import { makeSpec, type ArchSpec } from '../../../training/models/spec';
import { convStackModel } from '../../helpers/conv-stack';
import { expectUsageError, smallscope } from '../../helpers/cli';
import { bothFields, checkpoint, randomRows } from '../../helpers/own-checkpoint';
import { PYTORCH_GRAD } from '../../fixtures/paths';

/**
 * Exact receptive-field gradients (the ONNX graph evaluated in tfjs ops, runtime/tfjs, differentiated by
 * tf.grad) against central finite differences through ONNX Runtime on the same file (PyTorch README
 * tolerance for FD: 1e-2 relative), on smallscope's own checkpoints of every kind with a token embedding, and
 * the exact zeros: after t through causal attention or a recurrence, outside the conv support without them.
 * Agreement with PyTorch autograd itself is pytorch-autograd.test.ts.
 */
beforeAll(async () => {
  await initBackend();
});

/**
 * Worst |fd - exact| / exact over the positions where the exact gradient is non-zero, each denominator at least
 * 1e-3 of the largest: central differences in float32 through ONNX Runtime have a noise floor of about 1e-5 of
 * the largest entry (a Mamba's far positions are 1e-6 of it, where FD reads noise).
 */
function worstRelative(exact: number[], fd: number[]): number {
  const floor = 1e-3 * Math.max(...exact);
  let worst = 0;
  exact.forEach((g, s) => {
    if (g !== 0) worst = Math.max(worst, Math.abs(fd[s] - g) / Math.max(g, floor));
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
const METHOD = 'exact (tfjs graph autodiff)';

describe('probe field: exact gradients of smallscope checkpoints through the graph', () => {
  it('conv-attn (seed shape): exact = FD within 1e-2 for sum, logit:5 and loss; exactly 0 after t', async () => {
    const bytes = await checkpoint(makeSpec('conv-attn', { d_model: 16, max_seq: 32 }));
    // a row that repeats one token: the exact path tells positions apart, not token ids
    const rows = [...randomRows(2, T, 256), Array.from({ length: T }, (_, i) => (i % 2 ? 7 : 9))];
    for (const objective of objectives) {
      const { exact, fd } = await bothFields(bytes, rows, t, objective);
      expect(exact.method).toBe(METHOD);
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
    // the ONNX LSTM node, unrolled in tfjs; the Mamba's selective scan, an ONNX Scan over a body subgraph
    ['lstm (2 layers, the LSTM op)', lstmSpec({ layers: 2, hidden: 8, seqLen: 32 })],
    ['mamba (2 layers, the Scan op)', mambaSpec({ layers: 2, dModel: 8, dState: 4, seqLen: 32 })],
  ];
  for (const [label, spec] of more) {
    it(`${label}: exact = FD within 1e-2; exactly 0 after t`, async () => {
      const { exact, fd } = await bothFields(await checkpoint(spec, 11), randomRows(2, T, 256, 5), t, {
        kind: 'sum',
      });
      expect(exact.method).toBe(METHOD);
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

/** selcopy_conv.onnx with its first Relu turned into HardSwish, an op ONNX Runtime runs and smallscope does not differentiate. */
function withHardSwish(): { bytes: Uint8Array; node: string } {
  const proto = onnx.ModelProto.decode(readFileSync(join(PYTORCH_GRAD, 'selcopy_conv.onnx')));
  proto.opsetImport = [{ domain: '', version: 14 }];
  const relu = proto.graph!.node!.find((n) => n.opType === 'Relu')!;
  relu.opType = 'HardSwish';
  return { bytes: onnx.ModelProto.encode(proto).finish(), node: relu.name! };
}

describe('probe field: when the exact path is not taken', () => {
  it('an op outside the supported set is named, before anything runs', async () => {
    const { bytes, node } = withHardSwish();
    const model = decodeModel(bytes);
    const runner: Runner = {
      outputNames: [],
      run: () => Promise.reject(new Error('not run')),
      runEmbeddings: () => Promise.reject(new Error('not run')),
    };
    const r = await openEmbeddingGraph(model, cutAtEmbedding(model), 'logits', { runner, rows: [[1, 2, 3]] });
    expect(r).toEqual({ reason: `op 'HardSwish' (node ${node}) is not differentiated by smallscope` });
  });

  it('an interpretation that disagrees with ONNX Runtime on the rows is refused (the check is on the numbers)', async () => {
    const model = decodeModel(readFileSync(join(PYTORCH_GRAD, 'selcopy_conv.onnx')));
    const cut = cutAtEmbedding(model);
    const rows = randomRows(1, 20, 256);
    // a runner standing in for ONNX Runtime that computes the graph plus 1% of noise
    const { createEmbeddingRunner } = await import('../../../runtime/node/ort-embeddings');
    const ort = await createEmbeddingRunner(cut);
    const skewed: Runner = {
      outputNames: ort.outputNames,
      run: ort.run,
      runEmbeddings: async (e, fetch, tokens) => {
        const out = await ort.runEmbeddings!(e, fetch, tokens);
        const y = out[fetch[0]];
        return { [fetch[0]]: { dims: y.dims, data: y.data.map((v, i) => v * (1 + 0.01 * Math.sin(i))) } };
      },
    };
    const r = await openEmbeddingGraph(model, cut, 'logits', { runner: skewed, rows });
    expect('reason' in r && r.reason).toMatch(
      /^the tfjs evaluation of the graph disagrees with ONNX Runtime/,
    );
    const ok = await openEmbeddingGraph(model, cut, 'logits', { runner: ort, rows });
    expect('reason' in ok).toBe(false);
    if (!('reason' in ok)) ok.dispose();
    await ort.dispose?.();
  });
});

describe('smallscope probe field --method', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'smallscope-exact-field-'));
  const tokens = join(scratch, 'tokens.json');
  writeFileSync(tokens, JSON.stringify(randomRows(2, T, 16)));
  const foreign = join(scratch, 'foreign.onnx');
  writeFileSync(foreign, convStackModel(3, [1]).bytes);
  const unsupported = join(scratch, 'hardswish.onnx');
  const hs = withHardSwish();
  writeFileSync(unsupported, hs.bytes);
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

  it('uses exact gradients by default for a smallscope checkpoint and a foreign graph alike, finite differences with --method fd', () => {
    for (const file of [own, foreign]) {
      const exact = field(file);
      const fd = field(file, '--method', 'fd');
      expect(exact.method).toBe(METHOD);
      expect(exact.eps).toBeNull();
      expect(exact.notes.filter((n) => n.startsWith('finite differences'))).toEqual([]);
      expect(fd.method).toBe('central finite differences through ONNX Runtime');
      expect(fd.eps).toBe(1e-2);
      expect(worstRelative(exact.gradient, fd.gradient)).toBeLessThan(1e-2);
    }
    expectCausal(field(own), t);
  });

  it('falls back to finite differences with a note naming the op; --method exact refuses it', () => {
    const doc = field(unsupported);
    expect(doc.method).toBe('central finite differences through ONNX Runtime');
    expect(doc.notes).toContain(
      `finite differences: op 'HardSwish' (node ${hs.node}) is not differentiated by smallscope`,
    );
    expectUsageError(
      smallscope('probe', 'field', unsupported, '--method', 'exact'),
      /--method exact: op 'HardSwish' \(node .*\) is not differentiated by smallscope/,
    );
    expectUsageError(
      smallscope('probe', 'field', foreign, '--method', 'adjoint'),
      /unknown --method 'adjoint'/,
    );
  });

  it('the human summary names the method', () => {
    const r = smallscope('probe', 'field', own, '--tokens-file', tokens, '--position', String(t));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/exact \(tfjs graph autodiff\)/);
    expect(r.stdout).toMatch(new RegExp(`gradient: exact at all ${T} positions; nonzero at ${t + 1}`));
  });
});
