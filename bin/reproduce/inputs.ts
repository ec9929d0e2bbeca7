import { UsageError } from '../../format/errors';
import { describeText, textInput, type Input } from '../../figures/props';
import { DURSLEY_PARAGRAPH } from '../../probes/inputs/dursley';
import { repeatedRandomTokens } from '../../probes/inputs/repeat-random';
import { BYTE_VOCAB, encodeText } from '../../format/text';
import type { TextTokenizer } from '../../format/tokenizer/tokenizer';
import type { FigureInput } from '../../reproduce/plan';
import { Rng } from '../../training/random';
import { countingSample, type CountingConfig } from '../../training/tasks/counting';
import { maskedSample, type MaskedTaskConfig } from '../../training/tasks/masked-batches';

/**
 * The inputs `reproduce` probes and draws on: a sample of the task a checkpoint was trained on (rebuilt from
 * its manifest, seed 0, so every run of a seed gets the same one), seed 002's paragraph, the induction probe's
 * random letters.
 */

type TaskDescribe = Record<string, unknown> | undefined;

/** One input string of the run's task (masked tasks: the question with the answer masked, as the model reads it). */
function taskSample(task: TaskDescribe): string {
  const rng = new Rng(0);
  if (task?.name === 'selcopy' || task?.name === 'vselcopy')
    return maskedSample(task as unknown as MaskedTaskConfig, rng, true).input;
  if (task?.name === 'counting') return countingSample(task as unknown as CountingConfig, rng).input;
  throw new UsageError(`no task sample for a model trained on ${String(task?.name ?? 'an unknown task')}`);
}

/**
 * The seed's paragraph in the checkpoint's own tokens: its tokenizer's ids when it has one (a model trained
 * with --tokenizer), else bytes.
 */
export function dursleyInput(tokenizer: TextTokenizer | null): Input {
  if (!tokenizer || tokenizer.json === null) return textInput(DURSLEY_PARAGRAPH);
  const tokens = tokenizer.encode(DURSLEY_PARAGRAPH, false);
  return {
    tokens: [tokens],
    describe: `${describeText(DURSLEY_PARAGRAPH, tokens.length)} of its ${tokenizer.name} tokenizer`,
  };
}

export function figureInput(
  kind: FigureInput,
  task: TaskDescribe,
  tokenizer: TextTokenizer | null = null,
): Input {
  if (kind === 'dursley') return dursleyInput(tokenizer);
  const text = taskSample(task);
  return { tokens: [encodeText(text)], describe: `a validation sample of the task, ${describeText(text)}` };
}

/** The induction probe's input, as docs/reproduction.md measures it: 16 rows of 20 lowercase letters twice. */
export function lettersInput(): Input {
  const alphabet = encodeText('abcdefghijklmnopqrstuvwxyz');
  return {
    tokens: repeatedRandomTokens({ n: 20, batch: 16, vocab: BYTE_VOCAB, seed: 0, alphabet }),
    describe: '16 rows of 20 random lowercase letters typed twice (seed 0)',
    repeatRandom: 20,
  };
}

/** 200 fresh inputs of a counting model's task, as bytes, with how many letters it counts. */
export function countingInput(task: TaskDescribe): { tokens: number[][]; letters: number; describe: string } {
  if (task?.name !== 'counting') throw new UsageError('letter attention needs a model trained on counting');
  const c = task as unknown as CountingConfig;
  const rng = new Rng(0);
  const tokens = Array.from({ length: 200 }, () => encodeText(countingSample(c, rng).input));
  return { tokens, letters: c.letters, describe: `200 fresh inputs of length ${c.length} (seed 0)` };
}
