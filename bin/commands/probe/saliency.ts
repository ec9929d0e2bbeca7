import { UsageError } from '../../../format/errors';
import { tokenLabel } from '../../../format/text';
import { constantTensor } from '../../../format/onnx/model';
import { finiteDifferenceGradient } from '../../../probes/field/finite-difference';
import { checkVocab } from '../../../probes/inputs/tokens';
import { checkContext, modelContext } from '../../../probes/onnx/context';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import { logitsOutput } from '../../../probes/runner-capture';
import {
  inputXGradient,
  outputAt,
  ranked,
  saliencyValues,
  type SaliencyResult,
  type SaliencyTarget,
} from '../../../probes/saliency/saliency';
import { createEmbeddingRunner } from '../../../runtime/node/ort-embeddings';
import { type Command, intArg, numArg } from '../../cli';
import { openModelFile, tokensFromFlags } from '../../model/files';
import { modelTokenizer, type TokenizerFlags } from '../../model/tokenizer-files';
import type { TextTokenizer } from '../../../format/tokenizer/tokenizer';
import { textOptions } from '../../text-options';

/** `smallscope probe saliency`: gradient x input per input token, for one logit or the loss. */
export function registerSaliency(probe: Command): void {
  textOptions(
    probe
      .command('saliency')
      .description(
        'gradient x input per input token, s_i = sum_j e_ij d y / d e_ij, for y = one logit at a position (default: the argmax at the last) or the mean next-token loss',
      )
      .argument('<model>', 'ONNX model file'),
  )
    .option('--tokens-file <file>', 'JSON file: an array holding one token-id array')
    .option(
      '--target <token>',
      "y is this token's logit: a token id, or a string that is one token (digits are read as an id)",
    )
    .option('--loss', 'y is the mean next-token cross-entropy over the row')
    .option(
      '--position <t>',
      'the position the logit is read at (default: the last)',
      intArg('--position', 0),
    )
    .option(
      '--method <m>',
      'auto: exact gradients (the graph differentiated in tfjs) where every op is supported, finite differences otherwise; exact; fd',
      'auto',
    )
    .option('--eps <e>', 'finite-difference step', numArg('--eps'), 1e-2)
    .option(
      '--json',
      'print one JSON document: {"tokens", "strings", "scores", "gradient_norms", "method", ...}',
    )
    .action(async (path: string, opts: SaliencyFlags) => {
      if (!['auto', 'exact', 'fd'].includes(opts.method)) {
        throw new UsageError(`unknown --method '${opts.method}': use auto, exact or fd`);
      }
      if (opts.loss && opts.target !== undefined) throw new UsageError('give --target or --loss, not both');
      if (opts.loss && opts.position !== undefined) {
        throw new UsageError('--loss averages over every position: drop --position');
      }
      const model = openModelFile(path);
      const cut = cutAtEmbedding(model);
      const tokenizer = modelTokenizer(path, model, opts, cut.vocab);
      const rows = tokensFromFlags(opts, false, {
        tokenizer,
        vocab: cut.vocab,
        specialTokens: opts.specialTokens,
      })!;
      if (rows.length !== 1)
        throw new UsageError(`probe saliency takes one row; the tokens file has ${rows.length}`);
      const [row] = rows;
      checkVocab(rows, cut.vocab);
      checkContext(row.length, modelContext(model));
      const T = row.length;
      if (opts.loss && T < 2)
        throw new UsageError('--loss needs at least 2 tokens: each position predicts the next');
      const t = opts.position ?? T - 1;
      if (t >= T) throw new UsageError(`--position ${t} is outside the sequence: use 0..${T - 1}`);
      const output = logitsOutput(model, cut.vocab) ?? model.outputs[0].name;
      const label = (id: number) => (tokenizer?.label ?? tokenLabel)(id);
      const table = constantTensor(model, cut.table)!;
      const d = cut.dModel;
      const e = new Float32Array(T * d);
      row.forEach((id, p) => e.set(table.data.subarray(id * d, (id + 1) * d), p * d));
      const runner = await createEmbeddingRunner(cut);
      const notes: string[] = [];
      try {
        const logits = (await runner.runEmbeddings!({ dims: [1, T, d], data: e }, [output], rows))[output];
        let target: SaliencyTarget = { kind: 'loss' };
        if (!opts.loss) {
          const at = outputAt(logits, T, t);
          const token = opts.target === undefined ? argmax(at) : targetId(opts.target, tokenizer, at.length);
          if (opts.target === undefined) notes.push(`target: the argmax at position ${t}`);
          target = { kind: 'logit', position: t, token };
        }
        const y = saliencyValues(logits, row, target)[0];
        let grad: ArrayLike<number> | null = null;
        let method: SaliencyResult['method'] = 'central finite differences through ONNX Runtime';
        if (opts.method !== 'fd') {
          // tfjs loads only here: the other commands never pay for it.
          const { openEmbeddingGraph, GRAPH_METHOD } = await import('../../model/graph-exact');
          const { meanLossScalar, objectiveScalar } = await import('../../../runtime/tfjs/objective');
          const graph = await openEmbeddingGraph(model, cut, output, { runner, rows });
          if ('reason' in graph) {
            if (opts.method === 'exact') throw new UsageError(`--method exact: ${graph.reason}`);
            notes.push(`finite differences: ${graph.reason}`);
          } else {
            try {
              const tg = target;
              grad = graph.gradient(row, (out) =>
                tg.kind === 'loss'
                  ? meanLossScalar(out, row)
                  : objectiveScalar(out, T, tg.position, { kind: 'logit', k: tg.token }, null),
              ).grad;
              method = GRAPH_METHOD;
            } finally {
              graph.dispose();
            }
          }
        }
        if (!grad) {
          const tg = target;
          grad = await finiteDifferenceGradient(runner, e, row, d, {
            output,
            positions: row.map((_, s) => s),
            value: (out) => saliencyValues(out, row, tg),
            eps: opts.eps,
          });
        }
        const { scores, norms } = inputXGradient(e, grad, T);
        const result: SaliencyResult = {
          tokens: row,
          strings: row.map(label),
          position: target.kind === 'logit' ? t : null,
          target: target.kind === 'logit' ? { id: target.token, string: label(target.token) } : null,
          objective: target.kind,
          y,
          output,
          scores,
          gradient_norms: norms,
          method,
          eps: method === 'central finite differences through ONNX Runtime' ? opts.eps : null,
          notes,
        };
        process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : summary(path, result));
      } finally {
        await runner.dispose?.();
      }
    });
}

interface SaliencyFlags extends TokenizerFlags {
  text?: string;
  tokensFile?: string;
  target?: string;
  loss?: boolean;
  position?: number;
  method: string;
  eps: number;
  json?: boolean;
}

function argmax(v: Float64Array): number {
  let best = 0;
  v.forEach((x, i) => {
    if (x > v[best]) best = i;
  });
  return best;
}

/** --target: an id (digits), else a string the tokenizer reads as exactly one token. */
function targetId(s: string, tokenizer: TextTokenizer | null, K: number): number {
  let id: number;
  if (/^\d+$/.test(s)) id = Number(s);
  else if (!tokenizer)
    throw new UsageError(`--target '${s}' is not a token id and the model has no tokenizer`);
  else {
    const ids = tokenizer.encode(s, false);
    if (ids.length !== 1) {
      throw new UsageError(
        `--target '${s}' is ${ids.length} tokens (${ids.join(', ')}): give one token or its id`,
      );
    }
    id = ids[0];
  }
  if (id >= K) throw new UsageError(`--target ${id} is past the output's ${K} entries`);
  return id;
}

function summary(path: string, r: SaliencyResult): string {
  const y = r.target
    ? `the logit of '${r.target.string}' (id ${r.target.id}) at position ${r.position}`
    : 'the mean next-token loss';
  const lines = [
    `${path}: y = ${y} of '${r.output}' = ${r.y.toFixed(4)}, ${r.tokens.length} tokens, ${r.eps === null ? r.method : `${r.method}, eps ${r.eps}`}`,
    'gradient x input (sum over the embedding), largest |s| first:',
    ...ranked(r).map(
      (i, k) =>
        `${String(k + 1).padStart(4)}. position ${String(i).padStart(3)}  ${JSON.stringify(r.strings[i]).padEnd(8)} ${r.scores[i] >= 0 ? '+' : ''}${r.scores[i].toExponential(3)}  |grad| ${r.gradient_norms[i].toExponential(3)}`,
    ),
    ...r.notes.map((n) => `note: ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}
