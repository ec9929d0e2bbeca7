import type { OnnxModel } from '../format/onnx/model';
import type { Runner } from './runner';
import type { Tensor } from './tensor';

/**
 * A Runner that fetches a few more outputs on every run and keeps them: lets a probe that fetches attention
 * (attentionPatterns) also get the logits from the same forward pass, instead of running the model twice.
 */
export function captureAlso(
  runner: Runner,
  extra: readonly string[],
): { runner: Runner; last: Record<string, Tensor> } {
  const state = { last: {} as Record<string, Tensor> };
  const wrapped: Runner = {
    outputNames: runner.outputNames,
    async run(tokens, fetch, inputs) {
      const names = [...new Set([...fetch, ...extra])];
      const out = await runner.run(tokens, names, inputs);
      state.last = out;
      return out;
    },
    dispose: runner.dispose?.bind(runner),
  };
  return {
    runner: wrapped,
    get last() {
      return state.last;
    },
  };
}

/** The logits output: named `logits`, else the only graph output whose last dimension is the vocabulary. */
export function logitsOutput(model: OnnxModel, vocab: number | null): string | null {
  if (model.outputs.some((o) => o.name === 'logits')) return 'logits';
  const byVocab = model.outputs.filter(
    (o) => vocab !== null && o.dims && o.dims[o.dims.length - 1] === vocab,
  );
  return byVocab.length === 1 ? byVocab[0].name : null;
}
