import { findAttention } from '../../../probes/attention';
import { receptiveField, type FieldResult } from '../../../probes/field/field-probe';
import { ablateAttention, fieldWithoutAttention } from '../../../probes/field/without-attention';
import { parseObjective } from '../../../probes/field/objective';
import { mulberry32 } from '../../../probes/inputs/prng';
import { UsageError } from '../../../format/errors';
import { checkVocab } from '../../../probes/inputs/tokens';
import { cutAtEmbedding } from '../../../probes/onnx/cut-embedding';
import { checkContext, modelContext } from '../../../probes/onnx/context';
import { logitsOutput } from '../../../probes/runner-capture';
import { type Command, intArg, numArg } from '../../cli';
import { openModelFile, tokensFromFlags } from '../../model/files';
import type { ExactProfiler } from '../../model/graph-exact';
import { createEmbeddingRunner } from '../../../runtime/node/ort-embeddings';
import { modelTokenizer, type TokenizerFlags } from '../../model/tokenizer-files';
import { textOptions } from '../../text-options';

/** `smallscope probe field`: theoretical and gradient receptive field of one output position. */
export function registerField(probe: Command): void {
  textOptions(
    probe
      .command('field')
      .description(
        'receptive field of output position t: conv support and g(s) = |d y_t / d e_s| (exact: the graph differentiated in tfjs; finite differences for ops outside the supported set)',
      )
      .argument('<model>', 'ONNX model file'),
  )
    .option('--tokens-file <file>', 'JSON file: an array of token-id arrays of equal length (a batch)')
    .option(
      '--seq-len <n>',
      'length of the random row used when no input is given',
      intArg('--seq-len', 2),
      64,
    )
    .option(
      '--position <t>',
      'output position (default: the middle, or the last for causal convs)',
      intArg('--position', 0),
    )
    .option('--objective <o>', 'y_t: sum | logit:K | loss', 'sum')
    .option(
      '--method <m>',
      'auto: exact gradients (the ONNX graph evaluated in tfjs ops and differentiated by its autodiff) where every op is supported, finite differences otherwise; exact; fd',
      'auto',
    )
    .option('--eps <e>', 'finite-difference step', numArg('--eps'), 1e-2)
    .option(
      '--without-attention',
      'the same position with every self-attention pattern replaced by the identity (the conv path alone, as the page and seed 000 show it)',
    )
    .option('--json', 'print one JSON document: {"position", "theoretical", "gradient", "erf", ...}')
    .action(async (path: string, opts: FieldFlags) => {
      const objective = parseObjective(opts.objective);
      if (!['auto', 'exact', 'fd'].includes(opts.method)) {
        throw new UsageError(`unknown --method '${opts.method}': use auto, exact or fd`);
      }
      const original = openModelFile(path);
      // With attention taken out, everything below runs on the rewired graph (probes/field/without-attention.ts).
      const ablated = opts.withoutAttention ? ablateAttention(original) : null;
      const model = ablated ? ablated.model : original;
      const cut = ablated ? ablated.cut : cutAtEmbedding(model);
      const text = {
        tokenizer: modelTokenizer(path, original, opts, cut.vocab),
        vocab: cut.vocab,
        specialTokens: opts.specialTokens,
      };
      const given =
        opts.text !== undefined || opts.tokensFile !== undefined ? tokensFromFlags(opts, false, text)! : null;
      const rand = mulberry32(0);
      const tokens = given ?? [Array.from({ length: opts.seqLen }, () => Math.floor(rand() * cut.vocab))];
      checkVocab(tokens, cut.vocab);
      checkContext(tokens[0].length, modelContext(original));
      let attention = !ablated;
      if (attention)
        try {
          findAttention(model);
        } catch {
          attention = false;
        }
      const output = logitsOutput(model, cut.vocab) ?? model.outputs[0].name;
      const runner = await createEmbeddingRunner(cut);
      const notes: string[] = [];
      let profiler: ExactProfiler | undefined;
      if (opts.method !== 'fd') {
        // tfjs loads only here: the other commands never pay for it.
        const { graphProfiler, openEmbeddingGraph } = await import('../../model/graph-exact');
        const graph = await openEmbeddingGraph(model, cut, output, { runner, rows: tokens });
        if ('reason' in graph) {
          if (opts.method === 'exact') throw new UsageError(`--method exact: ${graph.reason}`);
          notes.push(`finite differences: ${graph.reason}`);
        } else profiler = graphProfiler(graph);
      }
      let result: FieldResult;
      try {
        const common = { output, position: opts.position, objective, eps: opts.eps };
        result = ablated
          ? await fieldWithoutAttention(ablated, runner, tokens, { ...common, profiler })
          : await receptiveField(model, cut.table, runner, tokens, { ...common, attention, profiler });
      } finally {
        profiler?.dispose();
        await runner.dispose?.();
      }
      result.notes.push(...notes);
      if (!given) result.notes.push(`no input given: one random row of ${opts.seqLen} tokens (seed 0)`);
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else process.stdout.write(fieldSummary(path, result));
    });
}

interface FieldFlags extends TokenizerFlags {
  text?: string;
  tokensFile?: string;
  seqLen: number;
  position?: number;
  objective: string;
  method: string;
  eps: number;
  json?: boolean;
  withoutAttention?: boolean;
}

function fieldSummary(path: string, r: FieldResult): string {
  const th = r.theoretical;
  const f = (x: number | null) => (x === null ? '-' : String(x));
  const lines = [
    `${path}: position ${r.position}, y = ${r.objective} of '${r.output}', ${r.rows} row(s), ${r.eps === null ? r.method : `${r.method}, eps ${r.eps}`}`,
    `theoretical (${th.convs} conv(s)): offsets ${th.back}..${th.forward}, radius ${th.radius}${th.sparse ? ', sparse' : ''}${th.note ? ` (${th.note})` : ''}`,
    `gradient: ${r.eps === null ? `exact at all ${r.gradient.length} positions` : `${r.perturbed} position(s) perturbed`}; nonzero at ${r.gradient.filter((g) => g !== 0).length}`,
    `ERF${r.one_sided ? ' (one-sided)' : ''}: R50 ${f(r.erf.r50)}, R90 ${f(r.erf.r90)}, R95 ${f(r.erf.r95)}, R99 ${f(r.erf.r99)}, sigma ${r.erf.sigma.toFixed(3)}; R95/radius ${r.erf_trf_ratio === null ? '-' : r.erf_trf_ratio.toFixed(3)}`,
  ];
  const top = r.gradient
    .map((g, s) => ({ s, g }))
    .sort((a, b) => b.g - a.g)
    .slice(0, 8)
    .map(({ s, g }) => `${s - r.position >= 0 ? '+' : ''}${s - r.position}: ${g.toExponential(2)}`);
  lines.push(`largest |d y / d e_s| by offset: ${top.join(', ')}`);
  lines.push(...r.notes.map((n) => `note: ${n}`));
  return `${lines.join('\n')}\n`;
}
