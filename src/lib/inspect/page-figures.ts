import { tokenLabel } from '../../../format/text';
import {
  attentionProps,
  describeText,
  headsProps,
  inductionProps,
  patternsOf,
  sourceOf,
  type Input,
} from '../../../figures/props';
import type { AttentionRun, ModelSession } from './model-session.svelte';

/**
 * The inspect page's figure downloads: props from a run by the functions `smallscope figure` uses, each built
 * only when its button is clicked (a closure per kind).
 */
export function pageFigures(r: AttentionRun, s: ModelSession, name: string) {
  const data = () => {
    const input: Input = {
      tokens: [r.tokens],
      describe: describeText(r.text, r.tokens.length),
      label: (id) => s.tokenizer?.label(id) ?? tokenLabel(id),
    };
    return { src: sourceOf(name, s.manifest), p: patternsOf(r.patterns, input.tokens), input };
  };
  return {
    heads: () => {
      const d = data();
      return headsProps(d.src, d.p, d.input, {});
    },
    induction: () => {
      const d = data();
      return inductionProps(d.src, d.p, d.input, {});
    },
    attention: (l: number, h: number) => () => {
      const d = data();
      return attentionProps(d.src, d.p, d.input, l, h, {});
    },
  };
}
