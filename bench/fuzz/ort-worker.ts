/**
 * Child process of bench/fuzz/run.ts: runs each model it is sent through the probes that need ONNX Runtime,
 * as the command line does (inspect with its confirming run, probe attention + heads + OV + ICL on a few
 * tokens, probe field exact where the tfjs interpreter takes the graph and by finite differences otherwise,
 * probe ablate + patch + dla on the gated causal model), and answers one message per case. A native crash or a hang is
 * seen by the parent as this process dying or going quiet; a throw that is not a UsageError is reported.
 */
import { inspectModel } from '../../bin/commands/inspect';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { createEmbeddingRunner } from '../../runtime/node/ort-embeddings';
import { attentionPatterns, findAttention } from '../../probes/attention';
import { UsageError } from '../../format/errors';
import { planFeeds } from '../../format/feeds';
import { receptiveField } from '../../probes/field/field-probe';
import { allHeadScores } from '../../probes/heads';
import { modelContext } from '../../probes/onnx/context';
import { cutAtEmbedding } from '../../probes/onnx/cut-embedding';
import { vocabSize } from '../../probes/onnx/embedding';
import { decodeModel, type OnnxModel } from '../../format/onnx/model';
import { captureAlso, logitsOutput } from '../../probes/runner-capture';
import { ovCopying } from '../../probes/scores/ov-circuits';
import { ablateHeads } from '../../probes/causal/ablate';
import { prepareCausal } from '../../probes/causal/causal-model';
import { directLogitAttribution } from '../../probes/causal/dla';
import { patchHeads } from '../../probes/causal/patch';
import { graphProfiler, openEmbeddingGraph, type ExactProfiler } from '../../bin/model/graph-exact';

async function attemptAll(model: OnnxModel): Promise<'ok' | 'refused'> {
  let refused = false;
  const step = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      if (!e.message || e.message.includes('\n'))
        throw new Error(`a UsageError of more than one line: ${e.message}`);
      refused = true;
    }
  };
  const vocab = Math.max(1, Math.min(vocabSize(model) ?? 256, 256));
  const T = Math.max(2, Math.min(8, modelContext(model)?.max_tokens ?? 8));
  const tokens = [Array.from({ length: T }, (_, i) => (i * 7) % vocab)];
  await step(() => inspectModel(model, { run: true }));
  await step(async () => {
    const found = findAttention(model);
    const runner = await createNodeRunner(model, found.bytes);
    try {
      const logits = logitsOutput(model, vocabSize(model));
      const capture = captureAlso(runner, logits ? [logits] : []);
      const result = await attentionPatterns(capture.runner, found.taps, tokens);
      allHeadScores(result.patterns, tokens, null);
      ovCopying(model, result.taps);
    } finally {
      await runner.dispose?.();
    }
  });
  await step(async () => {
    const cut = cutAtEmbedding(model);
    const runner = await createEmbeddingRunner(cut);
    try {
      const output = logitsOutput(model, cut.vocab) ?? model.outputs[0]?.name ?? '';
      const field = [tokens[0].map((t) => t % cut.vocab)];
      // As `probe field` does by default: exact where the interpreter takes the graph and agrees with ORT.
      let profiler: ExactProfiler | undefined;
      const graph = await openEmbeddingGraph(model, cut, output, { runner, rows: field });
      if (!('reason' in graph)) profiler = graphProfiler(graph);
      try {
        await receptiveField(model, cut.table, runner, field, {
          output,
          objective: { kind: 'sum' },
          eps: 1e-2,
          attention: true,
          profiler,
        });
      } finally {
        profiler?.dispose();
      }
    } finally {
      await runner.dispose?.();
    }
  });
  await step(async () => {
    const found = findAttention(model);
    const causal = prepareCausal(found, vocabSize(model), { dla: true, patterns: true });
    const runner = await createNodeRunner(model, causal.bytes);
    try {
      const batch = planFeeds(model.inputs).tokens.dims?.[0];
      const maxRows = typeof batch === 'number' ? batch : undefined;
      await ablateHeads(runner, causal, tokens, { mode: 'mean', maxRows });
      const corrupt = [tokens[0].map((t, i) => (i === T - 1 ? (t + 1) % vocab : t))];
      await patchHeads(runner, causal, tokens, corrupt, { maxRows });
      await directLogitAttribution(runner, causal, tokens);
    } finally {
      await runner.dispose?.();
    }
  });
  return refused ? 'refused' : 'ok';
}

process.on('message', async (msg: { id: number; bytes: number[] | Uint8Array }) => {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let result: string;
  let error: string | null = null;
  try {
    const bytes = Uint8Array.from(msg.bytes as ArrayLike<number>);
    let model: OnnxModel | null = null;
    try {
      model = decodeModel(bytes, { externalDataDir: '/models' });
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
    }
    result = model ? await attemptAll(model) : 'refused';
  } catch (e) {
    result = 'throw';
    error = (e as Error)?.stack ?? String(e);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.send!({
    id: msg.id,
    result,
    error,
    ms: performance.now() - t0,
    cpuMs,
    rss: process.memoryUsage().rss,
  });
});
process.send!({ ready: true });
