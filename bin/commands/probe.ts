import { attentionPatterns, isCross, isOutputSelf } from '../../probes/attention';
import {
  CROSS_NOTE,
  OUTPUT_SELF_NOTE,
  allHeadScores,
  choosePeriod,
  repeatScores,
  type AnyHeadRow,
  type RepeatScores,
} from '../../probes/heads';
import { checkVocab } from '../../probes/inputs/tokens';
import { captureAlso, logitsOutput } from '../../probes/runner-capture';
import { iclPositions, iclScore, type IclScore } from '../../probes/scores/icl';
import { ovCopying } from '../../probes/scores/ov-circuits';
import { Command, Option, intArg } from '../cli';
import { registerAblate } from './probe/ablate';
import { registerAttention } from './probe/attention';
import { registerDla } from './probe/dla';
import { registerPatch } from './probe/patch';
import { registerSaliency } from './probe/saliency';
import { registerField } from './probe/field';
import { registerFilters } from './probe/filters';
import { fmt, pieces, preview, print, tapList } from './probe/shared';
import { textOptions } from '../text-options';
import type { TokenizerFlags } from '../model/tokenizer-files';
import { tokensFromFlags, type InputFlags } from '../model/files';
import { randomInput, repeatRandomOptions, type RepeatRandomFlags } from '../model/random-input';
import { openProbeSession, type ProbeSession } from '../model/probe-session';

/**
 * `smallscope probe attention|heads`: attention patterns and per-head scores of any ONNX model with attention
 * (our checkpoints, or PyTorch exports where the attention is found as Softmax nodes).
 */
export function register(program: Command): void {
  const probe = program
    .command('probe')
    .description(
      'measure an ONNX model: attention heads, conv filters, receptive fields, saliency, ablation, patching',
    );

  registerAttention(probe);

  repeatRandomOptions(
    textOptions(
      probe
        .command('heads')
        .description(
          'per-head scores: induction (clean and ARENA-compatible), previous-token, TransformerLens detectors',
        )
        .argument('<model>', 'ONNX model file'),
    ),
  )
    .option(
      '--period <n>',
      'block length for the induction score (else detected from an exact repeat)',
      intArg('--period'),
    )
    .addOption(
      new Option('--error-measure <m>', 'TransformerLens detector measure')
        .choices(['mul', 'abs'])
        .default('mul'),
    )
    .option('--icl-early <i>', 'ICL score: the early token, 1-based (default 50)', intArg('--icl-early', 2))
    .option(
      '--icl-late <i>',
      'ICL score: the late token, 1-based (default 500, clipped to the context)',
      intArg('--icl-late', 2),
    )
    .option('--exclude-bos', 'detectors ignore attention to position 0')
    .option('--exclude-current-token', 'detectors ignore attention of a position to itself')
    .option('--json', 'print one JSON document: {"heads", "period", "repeat", "notes", "tokens"}')
    .action(async (path: string, opts: HeadsFlags) => {
      const session = await openProbeSession(path, opts);
      const given = tokensFromFlags(opts, true, session.text);
      const tokens = given ?? randomInput(session, opts);
      checkVocab(tokens, session.vocab ?? Number.MAX_SAFE_INTEGER);
      const { period, notes } = choosePeriod(
        tokens,
        opts.period !== undefined
          ? { n: opts.period, source: 'flag' }
          : opts.repeatRandom !== undefined
            ? { n: opts.repeatRandom, source: 'repeat-random', start: 0 }
            : null,
      );
      const positions = iclPositions(tokens[0].length, { early: opts.iclEarly, late: opts.iclLate });
      notes.push(...positions.notes);
      // An encoder-decoder model (cross attention) has logits per output step, not next-token logits.
      const encoderDecoder = session.taps.some(isCross);
      const logitsName = encoderDecoder ? null : logitsOutput(session.model, session.vocab);
      const capture = captureAlso(session.runner, logitsName ? [logitsName] : []);
      const result = await attentionPatterns(capture.runner, session.taps, tokens);
      await session.runner.dispose?.();
      const cross = new Set(result.taps.filter(isCross).map((t) => t.name));
      const outputSelf = new Set(result.taps.filter(isOutputSelf).map((t) => t.name));
      const heads = allHeadScores(
        result.patterns,
        tokens,
        period,
        {
          errorMeasure: opts.errorMeasure,
          excludeBos: opts.excludeBos,
          excludeCurrentToken: opts.excludeCurrentToken,
        },
        cross,
        outputSelf,
      );
      // No exact period (ordinary text): where a passage that comes back looks in its first copy.
      const repeat = period ? null : repeatScores(result.patterns, tokens, cross, outputSelf);
      const ov = ovCopying(session.model, result.taps);
      const rows = heads.map((h) => {
        const c =
          ov[`blocks.${h.layer}.attn.hook_pattern`]?.[h.head] ??
          ov[`blocks.${h.layer}.attn.hook_pattern`]?.[0];
        return { ...h, copying_ov: c?.by_tap ?? null, copying_ov_note: c?.note ?? null };
      });
      let icl: IclScore | null = null;
      if (encoderDecoder)
        notes.push(
          'ICL: not measured, the logits are per output step (cross attention), not per input token',
        );
      else if (!logitsName) notes.push('ICL: not measured, no logits output found');
      else if ('early' in positions)
        icl = iclScore(capture.last[logitsName], tokens, positions.early, positions.late);
      if (opts.json)
        print({
          heads: rows,
          icl,
          period,
          repeat,
          notes,
          tokens,
          pieces: pieces(session, tokens),
          taps: tapList(result),
        });
      else process.stdout.write(headsSummary(rows, icl, period, repeat, notes, tokens, session));
    });

  registerFilters(probe);
  registerField(probe);
  registerSaliency(probe);
  registerAblate(probe);
  registerPatch(probe);
  registerDla(probe);
}

interface HeadsFlags extends InputFlags, TokenizerFlags, RepeatRandomFlags {
  period?: number;
  errorMeasure: 'mul' | 'abs';
  excludeBos?: boolean;
  excludeCurrentToken?: boolean;
  iclEarly?: number;
  iclLate?: number;
  json?: boolean;
}

function headsSummary(
  heads: (AnyHeadRow & { copying_ov: Record<string, number> | null })[],
  icl: IclScore | null,
  period: { n: number; start: number; source: string } | null,
  repeat: RepeatScores | null,
  notes: string[],
  tokens: number[][],
  session: ProbeSession,
): string {
  const lines = [`${tokens.length} row(s) x ${tokens[0].length} tokens  "${preview(tokens, session)}"`];
  lines.push(
    period
      ? `period ${period.n} (${period.source}), first copy at ${period.start}`
      : 'no period: induction not measured',
  );
  lines.push(...notes.map((n) => `note: ${n}`));
  const cross = heads.filter((h) => 'kind' in h && h.kind === 'cross');
  if (cross.length > 0) lines.push(`note: ${cross.map((h) => h.name)}: ${CROSS_NOTE}`);
  const outputSelf = heads.filter((h) => 'kind' in h && h.kind === 'output-self');
  if (outputSelf.length > 0) lines.push(`note: ${outputSelf.map((h) => h.name)}: ${OUTPUT_SELF_NOTE}`);
  if (icl)
    lines.push(
      `ICL: L(${icl.late}) - L(${icl.early}) = ${fmt(icl.icl)} nats (paper prose sign: ${fmt(icl.icl_paper_prose)})`,
    );
  lines.push('head    induction  arena    prefix   prev-tok  dup-tok  TL-induction  OV copying');
  for (const h of heads) {
    lines.push(
      [
        h.name.padEnd(7),
        fmt(h.induction).padEnd(10),
        fmt(h.induction_arena).padEnd(8),
        fmt(h.prefix_matching).padEnd(8),
        fmt(h.previous_token).padEnd(9),
        fmt(h.duplicate_token).padEnd(8),
        fmt(h.detector.induction_head).padEnd(13),
        h.copying_ov
          ? Object.entries(h.copying_ov)
              .map(([k, v]) => `${k} ${fmt(v, 3)}`)
              .join(', ')
          : '-',
      ].join(' '),
    );
  }
  if (repeat && repeat.heads.length > 0) {
    const at = (i: number) => `${i}-${i + repeat.length - 1}`;
    lines.push(
      `repeat: tokens ${at(repeat.start)} come back at ${at(repeat.start + repeat.offset)} (${repeat.length} tokens); weight of the second copy on the first:`,
      'head    same token  next token (induction)',
      ...repeat.heads.map((h) => `${h.name.padEnd(7)} ${fmt(h.same_token).padEnd(11)} ${fmt(h.next_token)}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
