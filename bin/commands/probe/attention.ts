import {
  attentionPatterns,
  isCross,
  isOutputSelf,
  overOutputSteps,
  type Patterns,
} from '../../../probes/attention';
import { checkVocab } from '../../../probes/inputs/tokens';
import { predictedClasses, seedView, stepAttention } from '../../../probes/output-steps';
import { futureMass, headMatrix, nestedPattern, rowSumError, topOffsets } from '../../../probes/pattern';
import { captureAlso } from '../../../probes/runner-capture';
import type { Tensor } from '../../../probes/tensor';
import type { Command } from '../../cli';
import { tokensFromFlags, type InputFlags } from '../../model/files';
import { openProbeSession, type ProbeSession } from '../../model/probe-session';
import type { TokenizerFlags } from '../../model/tokenizer-files';
import { textOptions } from '../../text-options';
import { pieces, preview, print, tapList } from './shared';

/** Input rows whose per-output-step view is printed (all of them are in --json). */
const VIEW_ROWS = 4;

/**
 * `smallscope probe attention`: every attention pattern [batch][head][query][key]. For a model whose queries
 * are output steps (seed 004's counting model) also the seed's own printout: the predicted class of every
 * output step, each step's "attended mainly to input steps" with its weights, and the output steps' self
 * attention.
 */
export function registerAttention(probe: Command): void {
  textOptions(
    probe
      .command('attention')
      .description(
        'attention patterns [batch][head][query][key] of every layer (cross attention: [batch][head][output step][input position])',
      )
      .argument('<model>', 'ONNX model file'),
  )
    .option('--tokens-file <file>', 'JSON file: an array of token-id arrays of equal length (a batch)')
    .option(
      '--json',
      'print one JSON document: {"tokens", "patterns", "taps"}, with output steps also "attended_mainly" and "prediction"',
    )
    .action(async (path: string, opts: InputFlags & TokenizerFlags & { json?: boolean }) => {
      const session = await openProbeSession(path, opts);
      const tokens = tokensFromFlags(opts, false, session.text)!;
      checkVocab(tokens, session.vocab ?? Number.MAX_SAFE_INTEGER);
      // An encoder-decoder model's logits are per output step: fetched in the same run for the prediction.
      const logitsName = stepLogits(session);
      const capture = captureAlso(session.runner, logitsName ? [logitsName] : []);
      const result = await attentionPatterns(capture.runner, session.taps, tokens);
      await session.runner.dispose?.();
      const prediction = logitsName ? predictedClasses(capture.last[logitsName]) : null;
      if (opts.json) {
        const patterns = Object.fromEntries(
          Object.entries(result.patterns).map(([k, p]) => [k, nestedPattern(p)]),
        );
        const steps = result.taps.filter(overOutputSteps);
        print({
          tokens,
          pieces: pieces(session, tokens),
          patterns,
          taps: tapList(result),
          ...(steps.length > 0
            ? {
                attended_mainly: Object.fromEntries(
                  steps.map((t) => [t.name, mainly(result.patterns[t.name])]),
                ),
              }
            : {}),
          ...(prediction ? { prediction } : {}),
        });
      } else {
        process.stdout.write(attentionSummary(path, tokens, result, session, prediction));
      }
    });
}

/**
 * The `logits` output of a model whose attention has output steps as queries, if it is [batch, steps, classes]
 * with the steps fixed (seed 004: [batch, 4, 11]); null otherwise.
 */
function stepLogits(session: ProbeSession): string | null {
  if (!session.taps.some(overOutputSteps)) return null;
  const out = session.model.outputs.find((o) => o.name === 'logits');
  return out?.dims?.length === 3 && typeof out.dims[1] === 'number' ? 'logits' : null;
}

/** [batch][head][output step] -> the keys at the step's largest weight. */
function mainly(p: Tensor): number[][][][] {
  const [B, H] = p.dims;
  return Array.from({ length: B }, (_, b) =>
    Array.from({ length: H }, (_, h) => stepAttention(p, b, h).map((s) => s.mainly)),
  );
}

/** Mean over the batch of one head's matrix. */
function batchMean(p: Tensor, h: number): Float64Array {
  const [B, , T] = p.dims;
  const m = new Float64Array(T * T);
  for (let b = 0; b < B; b++) headMatrix(p, b, h).forEach((v, i) => (m[i] += v / B));
  return m;
}

function rowSums(p: Tensor, h: number): string {
  const [B, , S, K] = p.dims;
  let rowErr = 0;
  for (let b = 0; b < B; b++) rowErr = Math.max(rowErr, rowSumError(headMatrix(p, b, h), K, S));
  return `rows sum to 1 within ${rowErr.toExponential(1)}`;
}

/** The seed's view of a pattern over output steps: per input row (up to VIEW_ROWS) and head. */
function stepLines(p: Tensor, kind: 'cross' | 'output-self'): string[] {
  const [B, H] = p.dims;
  const lines: string[] = [];
  for (let b = 0; b < Math.min(B, VIEW_ROWS); b++)
    for (let h = 0; h < H; h++) {
      if (B > 1 || H > 1) lines.push(`  row ${b}, head ${h}:`);
      lines.push(...seedView(kind, stepAttention(p, b, h)).map((l) => `  ${l}`));
    }
  if (B > VIEW_ROWS) lines.push(`  (rows ${VIEW_ROWS}..${B - 1}: --json has them)`);
  return lines;
}

function attentionSummary(
  path: string,
  tokens: number[][],
  result: Patterns,
  session: ProbeSession,
  prediction: number[][] | null,
): string {
  const lines = [
    `${path}: ${tokens.length} row(s) x ${tokens[0].length} tokens  "${preview(tokens, session)}"`,
  ];
  if (prediction)
    lines.push(
      `prediction (argmax of logits per output step): ${prediction.map((r) => r.join(' ')).join('; ')}`,
    );
  for (const tap of result.taps) {
    const p = result.patterns[tap.name];
    const [B, H, T] = p.dims;
    const from = tap.source === 'softmax' ? `Softmax ${tap.node} -> ${tap.tensor}` : 'graph output';
    lines.push(`${tap.name}  [${p.dims}]  (${from})`);
    if (isCross(tap) || isOutputSelf(tap)) {
      const [, , S, K] = p.dims;
      lines.push(
        isCross(tap)
          ? `  cross attention: ${S} output steps x ${K} input positions`
          : `  self attention among the ${S} output steps`,
      );
      for (let h = 0; h < H; h++) lines.push(`  head ${h}: ${rowSums(p, h)}`);
      lines.push(...stepLines(p, isCross(tap) ? 'cross' : 'output-self'));
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
