/**
 * bench/probe-speed: attention maps plus every head score for one 1024-token input on the PyTorch reference
 * Conv-Attn export, through smallscope (onnxruntime-node, session created once) vs a PyTorch eager forward
 * pass that captures the same attention (Debian python3-torch, a warm worker process). Runs alternate
 * (smallscope, PyTorch, smallscope, ...) on the same machine with the same thread count; medians are printed
 * with the ratio smallscope / PyTorch. Not a test. Usage: bash bench/probe-speed/run.sh [runs] [threads]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { attentionPatterns, findAttention } from '../../probes/attention';
import { choosePeriod, headScores } from '../../probes/heads';
import { repeatedRandomTokens } from '../../probes/inputs/repeat-random';
import { captureAlso, logitsOutput } from '../../probes/runner-capture';
import { iclPositions, iclScore } from '../../probes/scores/icl';
import { ovCopying } from '../../probes/scores/ov-circuits';
import { readModelFile } from '../../bin/model/files';
import { createNodeRunner } from '../../runtime/node/ort-node';

const ref = fileURLToPath(new URL('../../tests/fixtures/pytorch', import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const threads = Number(process.argv[3] ?? 2);
const model = `${ref}/conv_attn/conv_attn.plain.onnx`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const tokens = repeatedRandomTokens({ n: 512, batch: 1, vocab: 256, seed: 0 });
  // smallscope: open once (decode, find attention, expose taps, create the session)
  let t0 = performance.now();
  const discovery = findAttention(readModelFile(model));
  const runner = await createNodeRunner(discovery.model, discovery.bytes, { intraOpNumThreads: threads });
  const openMs = performance.now() - t0;
  t0 = performance.now();
  const ov = ovCopying(discovery.model, discovery.taps); // weights only: once per model, not per input
  const ovMs = performance.now() - t0;
  const logits = logitsOutput(discovery.model, 256)!;
  const { period } = choosePeriod(tokens, null);
  const positions = iclPositions(1024, {}) as { early: number; late: number };
  const probe = async () => {
    const start = performance.now();
    const capture = captureAlso(runner, [logits]);
    const result = await attentionPatterns(capture.runner, discovery.taps, tokens);
    const heads = headScores(result.patterns, tokens, period);
    const icl = iclScore(capture.last[logits], tokens, positions.early, positions.late);
    const ms = performance.now() - start;
    return { ms, heads, icl };
  };

  // PyTorch: a warm worker
  const py = spawn(
    process.env.PYTHON ?? '/usr/bin/python3',
    [fileURLToPath(new URL('torch_worker.py', import.meta.url)), ref, String(threads)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
  const ask = async (msg: unknown) => {
    if (msg !== null) py.stdin!.write(`${JSON.stringify(msg)}\n`);
    return JSON.parse((await lines.next()).value as string);
  };
  const info = await ask(null);
  await ask({ tokens });

  for (let i = 0; i < 3; i++) {
    await probe();
    await ask({ go: true });
  } // warm-up
  const ours: number[] = [];
  const theirs: number[] = [];
  let last: Awaited<ReturnType<typeof probe>> | null = null;
  for (let i = 0; i < runs; i++) {
    last = await probe();
    ours.push(last.ms);
    theirs.push((await ask({ go: true })).ms);
  }
  py.stdin!.end();
  await runner.dispose?.();
  const a = median(ours);
  const b = median(theirs);
  console.log(
    `input: 1 x 1024 tokens (a random block of 512, twice); ${runs} interleaved runs; ${threads} thread(s)`,
  );
  console.log(
    `smallscope open (decode, find attention, session): ${openMs.toFixed(1)} ms; OV copying from weights (once per model): ${ovMs.toFixed(1)} ms`,
  );
  console.log(
    `smallscope  attention + head scores + ICL: median ${a.toFixed(2)} ms  (min ${Math.min(...ours).toFixed(2)})`,
  );
  console.log(
    `PyTorch ${info.torch} eager forward with attention: median ${b.toFixed(2)} ms  (min ${Math.min(...theirs).toFixed(2)})`,
  );
  console.log(`ratio smallscope / PyTorch: ${(a / b).toFixed(3)}`);
  console.log(
    `check: induction ${last!.heads[0].induction?.toFixed(4)}, ICL ${last!.icl.icl.toFixed(4)}, OV cur ${ov['blocks.0.attn.hook_pattern'][0].by_tap?.cur?.toFixed(4)}`,
  );
}

await main();
