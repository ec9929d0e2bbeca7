import { ablateHeads, type AblationMode, type AblationResult } from '../../../probes/causal/ablate';
import { parseHeads } from '../../../probes/causal/heads';
import { checkVocab } from '../../../probes/inputs/tokens';
import { Option, type Command } from '../../cli';
import { openCausalSession } from '../../model/causal-session';
import { tokensFromFlags, type InputFlags } from '../../model/files';
import { randomInput, repeatRandomOptions, type RepeatRandomFlags } from '../../model/random-input';
import type { TokenizerFlags } from '../../model/tokenizer-files';
import { textOptions } from '../../text-options';

/** `smallscope probe ablate`: the next-token loss with each head's z zeroed or mean-ablated. */
export function registerAblate(probe: Command): void {
  repeatRandomOptions(
    textOptions(
      probe
        .command('ablate')
        .description(
          "head ablation: the mean next-token loss with each head's output z (blocks.{l}.attn.hook_z) replaced by zeros or by its mean over the batch and positions",
        )
        .argument('<model>', 'ONNX model file'),
    ),
  )
    .option('--heads <list>', 'all, or layer.head pairs (0-based): 0.1,1.3', 'all')
    .addOption(new Option('--mode <m>', 'what replaces z').choices(['zero', 'mean']).default('zero'))
    .option(
      '--json',
      'print one JSON document: {"loss": {"baseline", "per_token"}, "heads": [{"name", "layer", "head", "loss", "loss_delta", "per_token_delta"}], "notes", ...}',
    )
    .action(async (path: string, opts: AblateFlags) => {
      const heads = parseHeads(opts.heads);
      const session = await openCausalSession(path, opts);
      const tokens = tokensFromFlags(opts, true, session.text) ?? randomInput(session, opts);
      checkVocab(tokens, session.vocab ?? Number.MAX_SAFE_INTEGER);
      const result = await ablateHeads(session.runner, session.causal, tokens, {
        mode: opts.mode,
        heads,
        maxRows: session.maxRows,
      });
      await session.runner.dispose?.();
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...result, tokens })}\n`);
      else process.stdout.write(summary(result, tokens));
    });
}

interface AblateFlags extends InputFlags, TokenizerFlags, RepeatRandomFlags {
  heads: string;
  mode: AblationMode;
  json?: boolean;
}

function summary(r: AblationResult, tokens: number[][]): string {
  const lines = [
    `${tokens.length} row(s) x ${tokens[0].length} tokens; ${r.mode} ablation of z, ${r.heads.length} head(s) in ${r.runs} runs`,
    `baseline loss ${r.loss.baseline.toFixed(4)} nats (mean next-token cross-entropy)`,
    ...r.notes.map((n) => `note: ${n}`),
    'head    loss      delta',
    ...r.heads.map(
      (h) =>
        `${h.name.padEnd(7)} ${h.loss.toFixed(4).padEnd(9)} ${(h.loss_delta >= 0 ? '+' : '') + h.loss_delta.toFixed(4)}${h.site === 'pattern' ? '  (pattern)' : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
