import { UsageError } from '../../../format/errors';
import { argText } from '../../../format/text';
import { noTokenizer } from '../../../format/tokenizer/tokenizer';
import { patchHeads, type PatchResult } from '../../../probes/causal/patch';
import { checkVocab } from '../../../probes/inputs/tokens';
import { intArg, type Command } from '../../cli';
import { openCausalSession, type CausalSession } from '../../model/causal-session';
import { tokensFromFlags } from '../../model/files';
import type { TokenizerFlags } from '../../model/tokenizer-files';

/** `smallscope probe patch`: each head's clean z patched into the corrupted run. */
export function registerPatch(probe: Command): void {
  probe
    .command('patch')
    .description(
      "activation patching: each head's z from the clean run patched into the corrupted run (all positions); the share of the logit difference recovered, (patched - corrupt) / (clean - corrupt)",
    )
    .argument('<model>', 'ONNX model file')
    .option('--clean <text>', 'the clean input')
    .option('--corrupt <text>', 'the corrupted input: the same number of tokens')
    .option('--tokens-file <file>', 'instead of text: JSON [[clean ids], [corrupt ids]]')
    .option('--answer <token>', "the right answer: text of one token (default: the clean run's top token)")
    .option('--wrong <token>', "the wrong answer: text of one token (default: the corrupted run's top token)")
    .option('--answer-id <id>', 'the right answer as a token id', intArg('--answer-id', 0))
    .option('--wrong-id <id>', 'the wrong answer as a token id', intArg('--wrong-id', 0))
    .option(
      '--tokenizer <file>',
      "a Hugging Face tokenizer.json (default: tokenizer.json beside the model, else the checkpoint manifest's, else bytes when the vocabulary is 256)",
    )
    .option(
      '--no-special-tokens',
      "don't add the special tokens the tokenizer's post-processor adds (BOS, CLS, ...)",
    )
    .option(
      '--json',
      'print one JSON document: {"answer", "wrong", "logit_diff": {"clean", "corrupt"}, "heads": [{"name", "layer", "head", "logit_diff", "recovered"}], "table", "notes", ...}',
    )
    .action(async (path: string, opts: PatchFlags) => {
      for (const [text, id, name] of [
        [opts.answer, opts.answerId, 'answer'],
        [opts.wrong, opts.wrongId, 'wrong'],
      ] as const)
        if (text !== undefined && id !== undefined)
          throw new UsageError(`give --${name} or --${name}-id, not both`);
      const given = opts.clean !== undefined || opts.corrupt !== undefined;
      if (opts.tokensFile !== undefined ? given : opts.clean === undefined || opts.corrupt === undefined)
        throw new UsageError('give --clean TEXT and --corrupt TEXT, or --tokens-file F');
      const session = await openCausalSession(path, opts);
      const [clean, corrupt] =
        opts.tokensFile !== undefined
          ? pair(tokensFromFlags({ tokensFile: opts.tokensFile })!, opts.tokensFile)
          : [encode(session, opts.clean!, '--clean'), encode(session, opts.corrupt!, '--corrupt')];
      checkVocab([clean, corrupt], session.vocab ?? Number.MAX_SAFE_INTEGER);
      const answer = opts.answerId ?? oneToken(session, opts.answer, '--answer');
      const wrong = opts.wrongId ?? oneToken(session, opts.wrong, '--wrong');
      const result = await patchHeads(session.runner, session.causal, [clean], [corrupt], {
        answer,
        wrong,
        maxRows: session.maxRows,
      });
      await session.runner.dispose?.();
      const label = session.tokenizer?.label ?? String;
      const token = (id: number, given: boolean, other: string) => ({
        id,
        piece: label(id),
        source: given ? 'flag' : other,
      });
      const doc = {
        ...result,
        answer: token(result.answer, answer !== undefined, "the clean run's top token"),
        wrong: token(result.wrong, wrong !== undefined, "the corrupted run's top token"),
        clean: [clean],
        corrupt: [corrupt],
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
      else process.stdout.write(summary(result, doc.answer.piece, doc.wrong.piece, clean.length));
    });
}

interface PatchFlags extends TokenizerFlags {
  clean?: string;
  corrupt?: string;
  tokensFile?: string;
  answer?: string;
  wrong?: string;
  answerId?: number;
  wrongId?: number;
  json?: boolean;
}

function encode(session: CausalSession, text: string, flag: string): number[] {
  if (!session.tokenizer) throw noTokenizer(session.vocab);
  const ids = session.tokenizer.encode(argText(text, flag), session.text.specialTokens ?? true);
  if (ids.length === 0) throw new UsageError(`${flag} is empty after tokenizing`);
  return ids;
}

/** A tokens file's two rows. (parseTokenBatch already refuses rows of unequal length, with both lengths.) */
function pair(rows: number[][], file: string): [number[], number[]] {
  if (rows.length !== 2)
    throw new UsageError(
      `tokens file '${file}' has ${rows.length} rows; patching takes two: [clean, corrupt]`,
    );
  return [rows[0], rows[1]];
}

/** A token given as text: it must be exactly one token (without special tokens). */
function oneToken(session: CausalSession, text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!session.tokenizer) throw noTokenizer(session.vocab);
  const ids = session.tokenizer.encode(argText(text, flag), false);
  if (ids.length !== 1)
    throw new UsageError(
      `${flag} '${text}' is ${ids.length} tokens (${ids.join(', ')}), not one: give one token, or its id with ${flag}-id`,
    );
  return ids[0];
}

function summary(r: PatchResult, answer: string, wrong: string, T: number): string {
  const f = (x: number | null) => (x === null ? '-' : x.toFixed(4));
  const layers = [...new Set(r.heads.map((h) => h.layer))];
  const lines = [
    `${T} tokens; logit difference logit[${JSON.stringify(answer)}] - logit[${JSON.stringify(wrong)}] at the last position: clean ${f(r.logit_diff.clean)}, corrupt ${f(r.logit_diff.corrupt)}`,
    ...r.notes.map((n) => `note: ${n}`),
    'recovered, (patched - corrupt) / (clean - corrupt), by layer and head:',
    ...r.table.map((row, i) => `  layer ${layers[i]}: ${row.map((x) => f(x).padStart(8)).join(' ')}`),
  ];
  return `${lines.join('\n')}\n`;
}
