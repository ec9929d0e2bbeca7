import { directLogitAttribution, type DlaResult } from '../../../probes/causal/dla';
import { checkVocab } from '../../../probes/inputs/tokens';
import type { Command } from '../../cli';
import { openCausalSession } from '../../model/causal-session';
import { tokensFromFlags, type InputFlags } from '../../model/files';
import { randomInput, repeatRandomOptions, type RepeatRandomFlags } from '../../model/random-input';
import type { TokenizerFlags } from '../../model/tokenizer-files';
import { textOptions } from '../../text-options';

/** `smallscope probe dla`: each head's direct contribution to the logit of the actual next token. */
export function registerDla(probe: Command): void {
  repeatRandomOptions(
    textOptions(
      probe
        .command('dla')
        .description(
          "direct logit attribution: each head's direct contribution (z W_O along the linear path, W_U) to the logit of the next token at every position",
        )
        .argument('<model>', 'ONNX model file'),
    ),
  )
    .option(
      '--json',
      'print one JSON document: {"heads": [{"name", "layer", "head", "dla": [batch][pos], "note"}], "logit", "notes", "tokens"}',
    )
    .action(async (path: string, opts: DlaFlags) => {
      const session = await openCausalSession(path, opts, { dla: true });
      const tokens = tokensFromFlags(opts, true, session.text) ?? randomInput(session, opts);
      checkVocab(tokens, session.vocab ?? Number.MAX_SAFE_INTEGER);
      const result = await directLogitAttribution(session.runner, session.causal, tokens);
      await session.runner.dispose?.();
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...result, tokens })}\n`);
      else process.stdout.write(summary(result, tokens));
    });
}

interface DlaFlags extends InputFlags, TokenizerFlags, RepeatRandomFlags {
  json?: boolean;
}

function summary(r: DlaResult, tokens: number[][]): string {
  const T = tokens[0].length;
  const mean = (m: number[][]) => m.flat().reduce((a, b) => a + b, 0) / m.flat().length;
  const last = (m: number[][]) => m.reduce((a, row) => a + row[row.length - 1], 0) / m.length;
  const lines = [
    `${tokens.length} row(s) x ${T} tokens; each head's direct contribution to the logit of the next token`,
    ...r.notes.map((n) => `note: ${n}`),
    `head    mean over positions   at position ${T - 2}`,
    ...r.heads.map((h) =>
      h.dla
        ? `${h.name.padEnd(7)} ${mean(h.dla).toFixed(4).padStart(10)}            ${last(h.dla).toFixed(4).padStart(8)}`
        : `${h.name.padEnd(7)} -  (${h.note})`,
    ),
    `logit   ${mean(r.logit).toFixed(4).padStart(10)}            ${last(r.logit).toFixed(4).padStart(8)}`,
  ];
  return `${lines.join('\n')}\n`;
}
