/**
 * bench/train-throughput: training samples/s of smallscope (tfjs wasm backend, data-parallel over worker
 * threads) and of a PyTorch reference (Debian python3-torch, a warm worker process) on the same
 * configurations, batch, sequence length and machine. Each round runs one timed block of `steps` optimizer
 * steps per configuration on each side, alternating (smallscope, PyTorch, smallscope, ...); the table gives
 * medians over rounds and the ratio of the medians measured in this run. Not a test.
 * Usage: bash bench/train-throughput/run.sh [rounds=5] [steps=4] [threads=2] [filter]
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../training/backend';
import { convStackSpec } from '../../training/models/conv_stack_spec';
import { disposeParams, initParams, paramCount } from '../../training/models/params';
import { makeSpec, type ArchSpec } from '../../training/models/spec';
import { AdamW } from '../../training/optim/adamw';
import { threadCount } from '../../training/parallel/pool';
import { Rng } from '../../training/random';
import { trainStep } from '../../training/step';

const ref = fileURLToPath(new URL('../../../shared/reference/pytorch', import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const steps = Number(process.argv[3] ?? 4);
const threads = Number(process.argv[4] ?? 2);
const filter = process.argv[5] ?? '';
process.env.SMALLSCOPE_THREADS ??= String(threads);

interface Config {
  name: string;
  spec: ArchSpec;
  torch: Record<string, unknown>;
  batch: number;
  seqLen: number;
}

function stack(
  name: string,
  C: number,
  kernel: number,
  dilation: number[],
  attn: (0 | 'T')[],
  norm: 'layer' | 'none',
  batch: number,
  seqLen: number,
): Config {
  const spec = convStackSpec({ layers: dilation.length, channels: C, kernel, dilation, attn, norm, seqLen });
  return {
    name,
    spec,
    torch: { arch: 'conv-stack', d_model: C, kernel, dilation, attn, norm },
    batch,
    seqLen,
  };
}
function seed002(kind: 'conv-attn' | 'attn-attn', D: number): Config {
  return {
    name: `seed 002 ${kind === 'conv-attn' ? 'Conv-Attn' : 'Attn-Attn'} d=${D}`,
    spec: makeSpec(kind, { d_model: D, max_seq: 128 }),
    torch: { arch: kind, d_model: D },
    batch: 32,
    seqLen: 128,
  };
}

const configs: Config[] = [
  // seed 000: selective copying, area 40 + 10 letters -> 51 positions, batch 64 (its example command)
  stack('seed 000 conv-stack C=32 k=13 d=5,7,1 attn 0,0,T', 32, 13, [5, 7, 1], [0, 0, 'T'], 'layer', 64, 51),
  stack(
    'seed 000 conv-stack C=128 k=13 d=5,7,1 attn 0,0,T',
    128,
    13,
    [5, 7, 1],
    [0, 0, 'T'],
    'layer',
    64,
    51,
  ),
  // seed 001: 6 layers, 64 channels, kernel 9 (its example command's dilations), 64 positions, batch 64
  stack(
    'seed 001 conv-stack C=64 k=9 d=1,2,3,4,5,1',
    64,
    9,
    [1, 2, 3, 4, 5, 1],
    [0, 0, 0, 0, 0, 0],
    'none',
    64,
    64,
  ),
  seed002('conv-attn', 64),
  seed002('attn-attn', 64),
  seed002('conv-attn', 384),
  seed002('attn-attn', 384),
].filter((c) => c.name.includes(filter));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  const backend = await initBackend();
  const py = spawn(
    process.env.PYTHON ?? '/usr/bin/python3',
    [fileURLToPath(new URL('torch_worker.py', import.meta.url)), ref, String(threads)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
  const ask = async (msg: unknown) => {
    if (msg !== null) py.stdin!.write(`${JSON.stringify(msg)}\n`);
    return JSON.parse((await lines.next()).value as string);
  };
  const info = await ask(null);

  const models = configs.map((c) => {
    const params = initParams(c.spec, new Rng(1));
    return { params, opt: new AdamW(params) };
  });
  const rng = new Rng(7);
  const ours = async (i: number, n: number) => {
    const c = configs[i];
    const { params, opt } = models[i];
    const batches = Array.from({ length: n }, () =>
      Int32Array.from({ length: c.batch * (c.seqLen + 1) }, () => rng.int(256)),
    );
    const t0 = performance.now();
    for (const w of batches) trainStep(c.spec, params, opt, w, c.seqLen, 1e-3);
    return (n * c.batch) / ((performance.now() - t0) / 1000);
  };
  const theirs = async (i: number, n: number) => {
    const c = configs[i];
    const r = await ask({ config: { ...c.torch, batch: c.batch, seq_len: c.seqLen }, steps: n });
    return (n * c.batch) / r.seconds;
  };
  const a: number[][] = configs.map(() => []);
  const b: number[][] = configs.map(() => []);
  for (let i = 0; i < configs.length; i++) {
    await ours(i, 2); // warm-up (worker start, XNNPACK operators, allocator)
    await theirs(i, 2);
  }
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < configs.length; i++) {
      // alternate which side goes first, so neither always runs right after the other's block
      if (r % 2 === 0) {
        a[i].push(await ours(i, steps));
        b[i].push(await theirs(i, steps));
      } else {
        b[i].push(await theirs(i, steps));
        a[i].push(await ours(i, steps));
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }
  py.stdin!.end();
  models.forEach((m) => {
    m.opt.dispose();
    disposeParams(m.params);
  });

  const date = new Date().toISOString().slice(0, 10);
  console.log(
    `train-throughput ${date}: ${cpus().length} x ${cpus()[0]?.model?.trim()}, node ${process.version}, ` +
      `smallscope ${backend.name} x ${threadCount()} worker threads (data parallel), ` +
      `PyTorch ${info.torch} torch.set_num_threads(${info.threads}); ${rounds} rounds x ${steps} steps, medians`,
  );
  console.log('');
  console.log('| configuration | params | batch x seq | smallscope samples/s | PyTorch samples/s | ratio |');
  console.log('|---|---|---|---|---|---|');
  configs.forEach((c, i) => {
    const x = median(a[i]);
    const y = median(b[i]);
    console.log(
      `| ${c.name} | ${paramCount(c.spec).toLocaleString('en-US')} | ${c.batch} x ${c.seqLen} | ${x.toFixed(1)} | ${y.toFixed(1)} | ${(x / y).toFixed(2)} |`,
    );
  });
  tf.disposeVariables();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
