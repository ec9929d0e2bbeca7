import { repeatedRandomTokens } from '../../probes/inputs/repeat-random';
import { BYTE_VOCAB, encodeText } from '../../format/text';
import { intArg, type Command } from '../cli';
import type { ModelDiscovery } from './probe-session';

/** --repeat-random's flags, shared by the commands that take it (probe heads, ablate, dla). */
export interface RepeatRandomFlags {
  repeatRandom?: number;
  batch: number;
  seed: number;
  alphabet?: string;
}

/** --tokens-file, then --repeat-random N and its --batch, --alphabet, --seed. */
export function repeatRandomOptions(cmd: Command): Command {
  return cmd
    .option('--tokens-file <file>', 'JSON file: an array of token-id arrays of equal length (a batch)')
    .option(
      '--repeat-random <n>',
      "random blocks of n ordinary tokens of the model's vocabulary (no special or byte-fallback pieces), each repeated twice",
      intArg('--repeat-random'),
    )
    .option('--batch <b>', 'rows for --repeat-random', intArg('--batch'), 10)
    .option(
      '--alphabet <chars>',
      "draw --repeat-random tokens from these characters' tokens (e.g. abcdefghijklmnopqrstuvwxyz)",
    )
    .option('--seed <s>', 'seed for --repeat-random', intArg('--seed', 0), 0);
}

/** The --repeat-random batch: blocks of the model's ordinary tokens (or --alphabet's), each repeated twice. */
export function randomInput(
  session: Pick<ModelDiscovery, 'tokenizer' | 'vocab'>,
  opts: RepeatRandomFlags,
): number[][] {
  const tok = session.tokenizer;
  const vocab = session.vocab ?? tok?.vocabSize ?? BYTE_VOCAB;
  // A tokenizer's ordinary tokens only (no special or byte-fallback pieces); without one, any id.
  const ordinary = tok && tok.name !== 'bytes' ? tok.ordinaryIds().filter((id) => id < vocab) : undefined;
  const alphabet =
    opts.alphabet === undefined
      ? ordinary
      : tok && tok.name !== 'bytes'
        ? Array.from(opts.alphabet).flatMap((ch) => tok.encode(ch, false))
        : encodeText(opts.alphabet);
  return repeatedRandomTokens({ n: opts.repeatRandom!, batch: opts.batch, vocab, seed: opts.seed, alphabet });
}
