import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphProfiler, openEmbeddingGraph } from '../../../bin/model/graph-exact';
import { decodeModel } from '../../../format/onnx/model';
import { receptiveField, type FieldResult } from '../../../probes/field/field-probe';
import { parseObjective } from '../../../probes/field/objective';
import { ablateAttention, fieldWithoutAttention } from '../../../probes/field/without-attention';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import { createEmbeddingRunner } from '../../../runtime/node/ort-embeddings';
import { initBackend } from '../../../training/backend';
import { PYTORCH_GRAD, PYTORCH_GRAD_REFERENCE, PYTORCH_MODEL } from '../../fixtures/paths';
import { smallscope } from '../../helpers/cli';

/**
 * probe field's exact gradients against PyTorch autograd (tests/fixtures/pytorch-grad/make.py, float64) on
 * PyTorch exports: the dilated selective-copying conv net (kernel 13, dilations 5, 7, 1: radius 78) without
 * and with its self-attention, and the trained Conv-Attn reference net, each also with attention replaced by
 * the identity (--without-attention). The definitions' tolerance for an exact method: 1e-3 relative.
 */
interface Case {
  model: string;
  without_attention: boolean;
  position: number;
  objective: string;
  gradient: number[];
}
interface Part {
  tokens: number[];
  cases: Case[];
}
const ref = JSON.parse(readFileSync(PYTORCH_GRAD_REFERENCE, 'utf8')) as {
  field_dilated: Part;
  field_conv_attn: Part;
};
const FILES: Record<string, string> = {
  selcopy_conv: join(PYTORCH_GRAD, 'selcopy_conv.onnx'),
  selcopy_attn: join(PYTORCH_GRAD, 'selcopy_attn.onnx'),
  conv_attn: PYTORCH_MODEL,
};

/**
 * Worst |ours - autograd| / autograd over the positions, each denominator at least 1e-3 of the largest (a
 * float32 graph cannot resolve entries a million times below its largest to 1e-3 of themselves). Exact zeros
 * (after t through causal attention, outside the conv support) must be exact zeros.
 */
function worstRelative(ours: number[], autograd: number[]): number {
  const floor = 1e-3 * Math.max(...autograd);
  let worst = 0;
  autograd.forEach((g, s) => {
    if (g === 0) expect(ours[s]).toBe(0);
    else worst = Math.max(worst, Math.abs(ours[s] - g) / Math.max(g, floor));
  });
  return worst;
}

async function exactField(file: string, ablate: boolean, tokens: number[], c: Case): Promise<FieldResult> {
  const original = decodeModel(readFileSync(file));
  const ablated = ablate ? ablateAttention(original) : null;
  const model = ablated ? ablated.model : original;
  const cut = ablated ? ablated.cut : cutAtEmbedding(model);
  const runner = await createEmbeddingRunner(cut);
  const graph = await openEmbeddingGraph(model, cut, 'logits', { runner, rows: [tokens] });
  if ('reason' in graph) throw new Error(graph.reason);
  const profiler = graphProfiler(graph);
  const opts = {
    output: 'logits',
    position: c.position,
    objective: parseObjective(c.objective),
    eps: 1e-2,
    profiler,
  };
  try {
    return ablated
      ? await fieldWithoutAttention(ablated, runner, [tokens], opts)
      : await receptiveField(model, cut.table, runner, [tokens], { ...opts, attention: !ablate });
  } finally {
    profiler.dispose();
    await runner.dispose?.();
  }
}

beforeAll(async () => {
  await initBackend();
});

for (const [label, part] of [
  ['the dilated conv net (selcopy, 160 tokens)', ref.field_dilated],
  ['the Conv-Attn reference net (probe b)', ref.field_conv_attn],
] as const) {
  describe(`probe field = PyTorch autograd within 1e-3: ${label}`, () => {
    for (const c of part.cases) {
      const what = `${c.model}${c.without_attention ? ' without attention' : ''}, t = ${c.position}, y = ${c.objective}`;
      it(what, async () => {
        const r = await exactField(FILES[c.model], c.without_attention, part.tokens, c);
        expect(r.method).toBe('exact (tfjs graph autodiff)');
        expect(r.gradient).toHaveLength(part.tokens.length);
        expect(worstRelative(r.gradient, c.gradient)).toBeLessThan(1e-3);
      });
    }
  });
}

describe('smallscope probe field on the PyTorch dilated conv net', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'smallscope-autograd-'));
  const tokens = join(scratch, 'tokens.json');
  writeFileSync(tokens, JSON.stringify([ref.field_dilated.tokens]));

  it('is exact by default and says so in its method: = autograd within 1e-3, zero outside the radius-78 support', () => {
    const c = ref.field_dilated.cases.find(
      (x) => x.model === 'selcopy_conv' && x.objective === 'sum' && x.position === 20,
    )!;
    const r = smallscope(
      'probe',
      'field',
      FILES.selcopy_conv,
      '--tokens-file',
      tokens,
      '--position',
      '20',
      '--json',
    );
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as FieldResult;
    expect(doc.method).toBe('exact (tfjs graph autodiff)');
    expect(doc.eps).toBeNull();
    expect(doc.theoretical.radius).toBe(78);
    expect(worstRelative(doc.gradient, c.gradient)).toBeLessThan(1e-3);
    doc.gradient.forEach((g, s) => {
      if (s - 20 > 78) expect(g).toBe(0);
    });
  });
});
