import { attentionPatterns, findAttention } from '$probes/attention';
import { headScores } from '$probes/heads';
import { vocabSize } from '$probes/onnx/embedding';
import type { OnnxModel } from '../../../format/onnx/model';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import type { BestScores } from '$lib/checkpoint';
import { STANDARD_INPUT, standardTokens } from '$lib/standard-input';

/**
 * The library's best head scores, computed on the server with onnxruntime-node and the probes' functions on
 * the standard input (see standard-input.ts): the head with the highest induction score and the head with
 * the highest previous-token score.
 */
export async function bestScores(model: OnnxModel): Promise<BestScores> {
  try {
    const found = findAttention(model);
    const runner = await createNodeRunner(model, found.bytes);
    try {
      const tokens = standardTokens(vocabSize(model));
      const { patterns } = await attentionPatterns(runner, found.taps, tokens);
      const rows = headScores(patterns, tokens, { n: STANDARD_INPUT.n, start: 0 });
      const best = (key: 'induction' | 'previous_token') => {
        const top = rows.reduce((a, b) => ((b[key] ?? -Infinity) > (a[key] ?? -Infinity) ? b : a));
        return { value: top[key] ?? NaN, layer: top.layer, head: top.head };
      };
      return { induction: best('induction'), previous_token: best('previous_token') };
    } finally {
      await runner.dispose?.();
    }
  } catch (err) {
    return { induction: null, previous_token: null, error: err instanceof Error ? err.message : String(err) };
  }
}
