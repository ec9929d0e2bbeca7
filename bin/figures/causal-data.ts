import { ablateHeads } from '../../probes/causal/ablate';
import { patchHeads } from '../../probes/causal/patch';
import { checkVocab } from '../../probes/inputs/tokens';
import { tokenLabel } from '../../format/text';
import { ablationProps, corruptLast, patchingProps } from '../../figures/causal-props';
import type { Input, Meta } from '../../figures/props';
import { openCausalSession } from '../model/causal-session';
import type { Opened } from './data';

/**
 * The causal figures' data on the command line: the model opened for the causal probes (its heads gated) by
 * onnxruntime-node, then `probe ablate` / `probe patch` as they run for the CLI. No science here.
 */

export async function ablationFigure(m: Opened, input: Input, meta: Partial<Meta>) {
  const session = await openCausalSession(m.path, {});
  try {
    checkVocab(input.tokens, session.vocab ?? Number.MAX_SAFE_INTEGER);
    const r = await ablateHeads(session.runner, session.causal, input.tokens, {
      mode: 'zero',
      maxRows: session.maxRows,
    });
    return ablationProps(m, r, input, meta);
  } finally {
    await session.runner.dispose?.();
  }
}

export async function patchingFigure(
  m: Opened,
  input: Input,
  corrupt: number[][] | null,
  corruptText: string | undefined,
  meta: Partial<Meta>,
) {
  const session = await openCausalSession(m.path, {});
  try {
    const vocab = session.vocab ?? Number.MAX_SAFE_INTEGER;
    const bad = corrupt ?? corruptLast(input.tokens, session.vocab ?? 256);
    checkVocab([...input.tokens, ...bad], vocab);
    const r = await patchHeads(session.runner, session.causal, input.tokens, bad, {
      maxRows: session.maxRows,
    });
    const label = input.label ?? tokenLabel;
    const what =
      corruptText !== undefined
        ? JSON.stringify(corruptText)
        : corrupt
          ? 'the tokens given'
          : `the same with its last token changed to ${JSON.stringify(label(bad[0][bad[0].length - 1]))}`;
    return patchingProps(m, r, input, what, label, meta);
  } finally {
    await session.runner.dispose?.();
  }
}
