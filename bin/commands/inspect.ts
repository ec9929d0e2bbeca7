import { attentionPatterns, findAttention, type AttentionDiscovery } from '../../probes/attention';
import { findConvs, type ConvInfo } from '../../probes/onnx/conv-nodes';
import { UsageError } from '../../format/errors';
import { findEmbedding } from '../../probes/onnx/embedding';
import { modelContext } from '../../probes/onnx/context';
import type { OnnxModel, ValueInfo } from '../../format/onnx/model';
import { Command } from '../cli';
import { openModelFile } from '../model/files';
import { createNodeRunner, MAX_SEQ } from '../../runtime/node/ort-node';
import { modelTokenizer, type TokenizerFlags } from '../model/tokenizer-files';
import { describeFeeds, planFeeds, tokenInputName } from '../../format/feeds';
import { describeTokenizer, resolveTokenizer } from '../../format/tokenizer/resolve';
import type { TextTokenizer } from '../../format/tokenizer/tokenizer';

/**
 * `smallscope inspect MODEL.onnx`: what smallscope finds in a model and what it does not: inputs, outputs,
 * opset, manifest, the token embedding, attention (names and graph tensors, confirmed by a short run), and
 * conv layers with the offset each kernel tap reads.
 */
export function register(program: Command): void {
  program
    .command('inspect')
    .description(
      'list what smallscope finds in an ONNX model: inputs, outputs, manifest, attention, conv taps',
    )
    .argument('<model>', 'ONNX model file')
    .option(
      '--tokenizer <file>',
      "a Hugging Face tokenizer.json (default: tokenizer.json beside the model, else the manifest's, else bytes for a vocabulary of 256)",
    )
    .option('--json', 'print one JSON document')
    .action(async (path: string, opts: { json?: boolean; tokenizer?: string }) => {
      const report = await inspect(path, opts);
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else process.stdout.write(readable(report));
    });
}

type Report = Awaited<ReturnType<typeof inspect>>;

/** `smallscope inspect` as a library function: the report for a model file (attention confirmed by a run). */
export async function inspect(path: string, flags: TokenizerFlags = {}) {
  return inspectModel(openModelFile(path), { file: path, run: true, tokenizerFlags: flags });
}

/**
 * The report for a decoded model. With `run: false` nothing reaches ONNX Runtime: the static part only
 * (graph, manifest, embedding, attention found in the graph, convs), which is what the fuzz tests drive.
 */
export async function inspectModel(
  model: OnnxModel,
  {
    file = '',
    run = true,
    tokenizerFlags,
  }: { file?: string; run?: boolean; tokenizerFlags?: TokenizerFlags } = {},
) {
  const embedding = findEmbedding(model);
  const notFound: string[] = [];
  const vocab = model.manifest?.arch.vocab ?? embedding?.vocab ?? null;
  const feeds = feedReport(model);
  if (feeds.error !== undefined) notFound.push(feeds.error);
  // A file named by --tokenizer that cannot be read fails the command; one merely found is reported.
  const tokenizer = tokenizerReport(Boolean(tokenizerFlags?.tokenizer), () =>
    file
      ? modelTokenizer(file, model, tokenizerFlags ?? {}, vocab)
      : resolveTokenizer({ manifest: model.manifest, vocab }),
  );
  if (!model.manifest) notFound.push(model.manifestError ?? 'no smallscope manifest (a foreign model)');
  if (!embedding) notFound.push('no token embedding (Gather from a constant table indexed by the input)');
  const context = modelContext(model);
  const attention = await inspectAttention(model, run, context?.max_tokens ?? null);
  if (attention.found.length === 0) notFound.push(attention.error ?? 'no attention');
  const convs = findConvs(model);
  if (convs.length === 0) notFound.push('no Conv nodes');
  return {
    file,
    producer: model.producer,
    ir_version: model.irVersion,
    opset: model.opset,
    inputs: model.inputs.map(io),
    outputs: model.outputs.map(io),
    manifest: model.manifest && {
      name: model.manifest.name,
      arch: model.manifest.arch,
      task: model.manifest.task.name,
      step: model.manifest.step,
      params: model.manifest.params,
    },
    vocab,
    feeds,
    tokenizer,
    /** Longest input: the manifest's positional embedding, else what the graph's structure allows; null: none. */
    context,
    embedding: embedding && {
      node: embedding.node,
      table: embedding.table,
      vocab: embedding.vocab,
      d_model: embedding.dModel,
    },
    attention,
    convs: convs.map(conv),
    not_found: notFound,
  };
}

/** What each input is fed (format/feeds.ts), or why the model cannot be fed. */
function feedReport(model: OnnxModel) {
  try {
    const plan = planFeeds(model.inputs);
    return {
      inputs: [plan.tokens, ...plan.others].map((f) => ({ name: f.name, rule: f.rule })),
      summary: describeFeeds(plan),
    };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { error: e.message };
  }
}

/** The tokenizer text would go through: name, source, vocabulary; or the one-line reason there is none. */
function tokenizerReport(named: boolean, resolve: () => TextTokenizer | null) {
  try {
    const tok = resolve();
    return {
      name: tok?.name ?? null,
      source: tok?.source ?? null,
      origin: tok?.origin ?? null,
      vocab: tok?.vocabSize ?? null,
      summary: describeTokenizer(tok),
      error: null as string | null,
    };
  } catch (e) {
    if (named || !(e instanceof UsageError)) throw e;
    return { name: null, source: null, origin: null, vocab: null, summary: null, error: e.message };
  }
}

function io(v: ValueInfo) {
  return { name: v.name, type: v.elemType, dims: v.dims };
}

function conv(c: ConvInfo) {
  return {
    node: c.node,
    weight: c.weight,
    weight_dims: c.weightDims,
    kernel: c.kernel,
    dilations: c.dilations,
    strides: c.strides,
    pads_begin: c.padsBegin,
    pads_end: c.padsEnd,
    group: c.group,
    taps: c.taps,
    notes: c.notes,
  };
}

/** Attention found in the graph, confirmed by running a few tokens (square over the sequence, per head). */
async function inspectAttention(model: OnnxModel, run: boolean, maxTokens: number | null) {
  let discovery: AttentionDiscovery;
  try {
    discovery = findAttention(model);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { found: [], rejected: [], checked: false, error: e.message };
  }
  const found = discovery.taps.map((t) => ({
    name: t.name,
    tensor: t.tensor,
    source: t.source,
    node: t.node,
    aliases: t.aliases,
    heads: null as number | null,
  }));
  const rejected = discovery.rejected.map((r) => ({ ...r }));
  if (!run) return { found, rejected, checked: false, error: null };
  try {
    const seqDim = model.inputs.find((i) => i.name === tokenInputName(model.inputs))?.dims?.[1];
    const T = typeof seqDim === 'number' ? seqDim : Math.min(8, maxTokens ?? 8);
    // A fixed length past what smallscope runs is refused before its token row is even allocated.
    if (T > MAX_SEQ)
      throw new UsageError(
        `the input's fixed length ${T} is more than the ${MAX_SEQ} tokens smallscope runs`,
      );
    const runner = await createNodeRunner(model, discovery.bytes);
    // released whether the run succeeds or fails (the fuzz bench opens thousands of failing models)
    const result = await attentionPatterns(runner, discovery.taps, [
      Array.from({ length: T }, (_, i) => i % 2),
    ]).finally(() => runner.dispose?.());
    const kept = new Map(result.taps.map((t) => [t.tensor, t] as const));
    for (const skip of result.skipped) rejected.push({ node: '', tensor: skip.tensor, reason: skip.reason });
    const confirmed = found
      .filter((f) => kept.has(f.tensor))
      .map((f) => {
        const tap = kept.get(f.tensor)!;
        return { ...f, name: tap.name, heads: result.patterns[tap.name].dims[1] };
      });
    return { found: confirmed, rejected, checked: true, error: null };
  } catch (e) {
    // Found in the graph but not confirmed by a run (e.g. several inputs): report it, say why.
    return { found, rejected, checked: false, error: `not run: ${(e as Error).message}` };
  }
}

function readable(r: Report): string {
  const dims = (d: unknown[] | null) => (d ? `[${d.join(', ')}]` : '[?]');
  const lines = [
    `${r.file}: ${r.producer || 'unknown producer'}, IR ${r.ir_version}, opset ${r.opset}`,
    `inputs:  ${r.inputs.map((i) => `${i.name} ${i.type ?? '?'}${dims(i.dims)}`).join(', ')}`,
    `outputs: ${r.outputs.map((o) => `${o.name} ${o.type ?? '?'}${dims(o.dims)}`).join(', ')}`,
    r.manifest
      ? `manifest: ${r.manifest.name} (${r.manifest.arch.kind}, d_model ${r.manifest.arch.d_model}, ${r.manifest.arch.n_heads} head(s), task ${r.manifest.task}, step ${r.manifest.step}, ${r.manifest.params} params)`
      : 'manifest: none',
    r.feeds.error !== undefined ? `fed: no (${r.feeds.error})` : `fed: ${r.feeds.summary}`,
    `tokenizer: ${r.tokenizer.summary ?? `refused (${r.tokenizer.error})`}`,
    `vocabulary: ${r.vocab ?? 'unknown'}${r.embedding ? ` (embedding ${r.embedding.table} [${r.embedding.vocab}, ${r.embedding.d_model}])` : ''}`,
    r.context
      ? `context: ${r.context.max_tokens} tokens (${r.context.from})`
      : 'context: unbounded (no position table, sliced buffer or fixed length in the graph)',
    `attention: ${r.attention.found.length} found${r.attention.checked ? ' (confirmed by a run)' : ''}`,
  ];
  for (const a of r.attention.found) {
    const alias = a.aliases.length ? `, also graph output ${a.aliases.join(', ')}` : '';
    const from = a.source === 'softmax' ? `Softmax ${a.node} -> ${a.tensor}` : 'graph output';
    lines.push(`  ${a.name} <- ${from}${alias}${a.heads ? `, ${a.heads} head(s)` : ''}`);
  }
  for (const x of r.attention.rejected) lines.push(`  passed over ${x.node || x.tensor}: ${x.reason}`);
  if (r.attention.error) lines.push(`  ${r.attention.error}`);
  lines.push(`convs: ${r.convs.length}`);
  for (const c of r.convs) {
    lines.push(
      `  ${c.node}: weight ${c.weight} ${dims(c.weight_dims)}, kernel ${dims(c.kernel)}, dilations ${dims(c.dilations)}, pads begin ${dims(c.pads_begin)} end ${dims(c.pads_end)}, group ${c.group}`,
    );
    if (c.taps) {
      lines.push(
        `    taps: ${c.taps.map((t) => `tap ${t.tap} -> offset ${t.offset >= 0 ? '+' : ''}${t.offset}${t.zero ? ' (all zero)' : ''}`).join(', ')}`,
      );
    }
    for (const n of c.notes) lines.push(`    note: ${n}`);
  }
  if (r.not_found.length) lines.push('not found:', ...r.not_found.map((n) => `  ${n}`));
  return `${lines.join('\n')}\n`;
}
