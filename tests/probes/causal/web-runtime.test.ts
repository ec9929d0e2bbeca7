import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFeeds, planFeeds } from '../../../format/feeds';
import { findAttention } from '../../../probes/attention';
import { ablateHeads } from '../../../probes/causal/ablate';
import { prepareCausal, type CausalModel } from '../../../probes/causal/causal-model';
import { patchHeads } from '../../../probes/causal/patch';
import { vocabSize } from '../../../probes/onnx/embedding';
import type { Runner } from '../../../probes/runner';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { PYTORCH_GPT2 } from '../../fixtures/paths';

/**
 * The causal probes' API is plain TypeScript over a Runner: the same gated model and gate inputs run on
 * onnxruntime-web (its Node build here, the page's wasm kernels) and give what onnxruntime-node gives. The
 * runner below feeds exactly what runtime/web/web-runner.ts feeds: the planned inputs, then the gates'.
 * (onnxruntime-web refuses to feed an initializer, which is why the gates are plain graph inputs.)
 */
function webRunner(session: ort.InferenceSession, model: ReturnType<typeof findAttention>['model']): Runner {
  const plan = planFeeds(model.inputs);
  return {
    outputNames: session.outputNames,
    async run(tokens, fetch, inputs) {
      const feeds: Record<string, ort.Tensor> = {};
      for (const f of buildFeeds(plan, tokens)) feeds[f.name] = new ort.Tensor(f.type, f.data, f.dims);
      for (const [name, t] of Object.entries(inputs ?? {}))
        feeds[name] = new ort.Tensor('float32', t.data, t.dims);
      const out = await session.run(feeds, [...fetch]);
      return Object.fromEntries(
        fetch.map((n) => [n, { dims: [...out[n].dims], data: out[n].data as Float32Array }]),
      );
    },
    dispose: () => session.release(),
  };
}

describe('the causal probes on onnxruntime-web', () => {
  let model: CausalModel;
  let web: Runner;
  let node: Runner;
  beforeAll(async () => {
    ort.env.wasm.numThreads = 1;
    const found = findAttention(new Uint8Array(readFileSync(PYTORCH_GPT2)));
    model = prepareCausal(found, vocabSize(found.model));
    web = webRunner(
      await ort.InferenceSession.create(model.bytes, { executionProviders: ['wasm'] }),
      found.model,
    );
    node = await createNodeRunner(found.model, model.bytes);
  });
  afterAll(async () => Promise.all([web?.dispose?.(), node?.dispose?.()]));

  const tokens = [Array.from('qwertyuiopqwertyuiop', (c) => c.charCodeAt(0))];
  it('mean ablation of every head: the same losses as onnxruntime-node within 1e-5', async () => {
    const a = await ablateHeads(web, model, tokens, { mode: 'mean' });
    const b = await ablateHeads(node, model, tokens, { mode: 'mean' });
    expect(a.heads).toHaveLength(8);
    a.heads.forEach((h, i) => expect(Math.abs(h.loss - b.heads[i].loss)).toBeLessThan(1e-5));
  });

  it('patching: the same table as onnxruntime-node within 1e-5', async () => {
    const corrupt = [Array.from('qwertyuiopqwertyuixp', (c) => c.charCodeAt(0))];
    const opts = { answer: 'o'.charCodeAt(0), wrong: 'x'.charCodeAt(0) };
    const a = await patchHeads(web, model, tokens, corrupt, opts);
    const b = await patchHeads(node, model, tokens, corrupt, opts);
    a.heads.forEach((h, i) => expect(Math.abs(h.logit_diff - b.heads[i].logit_diff)).toBeLessThan(1e-5));
  });
});
