import { attentionPatterns, isCross, type Patterns } from '../../probes/attention';
import { CROSS_NOTE, allHeadScores, choosePeriod, type AnyHeadRow } from '../../probes/heads';
import { checkVocab } from '../../probes/inputs/tokens';
import { captureAlso, logitsOutput } from '../../probes/runner-capture';
import { iclPositions, iclScore, type IclScore } from '../../probes/scores/icl';
import { ovCopying } from '../../probes/scores/ov-circuits';
import { futureMass, headMatrix, nestedPattern, rowSumError, topOffsets } from '../../probes/pattern';
import { tokenLabel } from '../../format/text';
import type { Tensor } from '../../probes/tensor';
import { Command, Option, intArg } from '../cli';
import { registerAblate } from './probe/ablate';
import { registerDla } from './probe/dla';
import { registerPatch } from './probe/patch';
import { registerField } from './probe/field';
import { registerFilters } from './probe/filters';
import { registerSaliency } from './probe/saliency';
import { textOptions } from '../text-options';
import type { TokenizerFlags } from '../model/tokenizer-files';
import { tokensFromFlags, type InputFlags } from '../model/files';
import { openProbeSession, type ProbeSession } from '../model/probe-session';
import { randomInput, repeatRandomOptions, type RepeatRandomFlags } from '../model/random-input';

/**
 * `smallscope probe attention|heads`: attention patterns and per-head scores of any ONNX model with attention
 * (our checkpoints, or PyTorch exports where the attention is found as Softmax nodes).
 */
export function register(program: Command): void {
  const probe = program
    .command('probe')
    .description('measure an ONNX model: attention heads, conv filters, receptive fields, saliency');

  textOptions(
    probe
      .command('attention')
      .description(
        'attention patterns [batch][head][query][key] of every layer (cross attention: [batch][head][output step][input position])',
      )
      .argument('<model>', 'ONNX model file'),
  )
    .option('--tokens-file <file>', 'JSON file: an array of token-id arrays of equal length (a batch)')
    .option('--json', 'print one JSON document: {"tokens", "patterns", "taps"}')
    .action(async (path: string, opts: InputFlags & TokenizerFlags & { json?: boolean }) => {
      const session = await openProbeSession(path, opts);
      const tokens = tokensFromFlags(opts, false, session.text)!;
      checkVocab(tokens, session.vocab ?? Number.MAX_SAFE_INTEGER);
      const result = await attentionPatterns(session.runner, session.taps, tokens);
      await session.runner.dispose?.();
      if (opts.json) {
        const patterns = Object.fromEntries(
          Object.entries(result.patterns).map(([k, p]) => [k, nestedPattern(p)]),
        );
        print({ tokens, pieces: pieces(session, tokens), patterns, taps: tapList(result) });
      } else {
        process.stdout.write(attentionSummary(path, tokens, result, session));
      }
    });

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
    .option('--json', 'print one JSON document: {"heads", "period", "notes", "tokens"}')
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
      const heads = allHeadScores(
        result.patterns,
        tokens,
        period,
        {
          errorMeasure: opts.errorMeasure,
          excludeBos: opts.excludeBos,
          excludeCurrentToken: opts.excludeCurrentToken,
        },
        new Set(result.taps.filter(isCross).map((t) => t.name)),
      );
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
          notes,
          tokens,
          pieces: pieces(session, tokens),
          taps: tapList(result),
        });
      else process.stdout.write(headsSummary(rows, icl, period, notes, tokens, session));
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

/** The tokenizer's piece of every token (bytes: one label per byte), as printed and in --json. */
function pieces(session: ProbeSession, tokens: number[][]): string[][] {
  const label = session.tokenizer?.label ?? tokenLabel;
  return tokens.map((row) => row.map((id) => label(id)));
}

function print(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

function tapList(result: Patterns) {
  return result.taps.map((t) => ({
    name: t.name,
    tensor: t.tensor,
    source: t.source,
    node: t.node,
    ...(t.kind ? { kind: t.kind } : {}),
  }));
}

const fmt = (x: number | null, digits = 4) => (x === null || Number.isNaN(x) ? '-' : x.toFixed(digits));

function preview(tokens: number[][], session: ProbeSession): string {
  const label = session.tokenizer?.label ?? tokenLabel;
  const row = tokens[0]
    .map((id) => label(id))
    .join(session.tokenizer && session.tokenizer.name !== 'bytes' ? '|' : '');
  return row.length > 60 ? `${row.slice(0, 57)}...` : row;
}

/** Mean over the batch of one head's matrix. */
function batchMean(p: Tensor, h: number): Float64Array {
  const [B, , T] = p.dims;
  const m = new Float64Array(T * T);
  for (let b = 0; b < B; b++) headMatrix(p, b, h).forEach((v, i) => (m[i] += v / B));
  return m;
}

function attentionSummary(path: string, tokens: number[][], result: Patterns, session: ProbeSession): string {
  const lines = [
    `${path}: ${tokens.length} row(s) x ${tokens[0].length} tokens  "${preview(tokens, session)}"`,
  ];
  for (const tap of result.taps) {
    const p = result.patterns[tap.name];
    const [B, H, T] = p.dims;
    const from = tap.source === 'softmax' ? `Softmax ${tap.node} -> ${tap.tensor}` : 'graph output';
    lines.push(`${tap.name}  [${p.dims}]  (${from})`);
    if (isCross(tap)) {
      const [, , S, K] = p.dims;
      lines.push(`  cross attention: ${S} output steps x ${K} input positions`);
      for (let h = 0; h < H; h++) {
        let rowErr = 0;
        for (let b = 0; b < B; b++) rowErr = Math.max(rowErr, rowSumError(headMatrix(p, b, h), K, S));
        lines.push(`  head ${h}: rows sum to 1 within ${rowErr.toExponential(1)}`);
      }
      continue;
    }
    for (let h = 0; h < H; h++) {
      let rowErr = 0;
      let future = 0;
      for (let b = 0; b < B; b++) {
        rowErr = Math.max(rowErr, rowSumError(headMatrix(p, b, h), T));
        future = Math.max(future, futureMass(headMatrix(p, b, h), T));
      }
      const top = topOffsets(batchMean(p, h), T)
        .map((o) => `${o.offset} (${o.mean.toFixed(3)})`)
        .join(', ');
      lines.push(
        `  head ${h}: rows sum to 1 within ${rowErr.toExponential(1)}; attention to the future ${future === 0 ? '0' : future.toExponential(1)}; top offsets key-query: ${top}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function headsSummary(
  heads: (AnyHeadRow & { copying_ov: Record<string, number> | null })[],
  icl: IclScore | null,
  period: { n: number; start: number; source: string } | null,
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
  return `${lines.join('\n')}\n`;
}
