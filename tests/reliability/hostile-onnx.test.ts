import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PYTORCH_PLAIN } from '../fixtures/paths';
import { inspectModel } from '../../bin/commands/inspect';
import { openModelFile } from '../../bin/model/files';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { findAttention } from '../../probes/attention';
import { UsageError } from '../../format/errors';
import { filtersReport } from '../../probes/filters/conv-report';
import { attentionWeights } from '../../probes/onnx/attention-weights';
import { findConvs } from '../../probes/onnx/conv-nodes';
import { indexGraph } from '../../probes/onnx/graph-walk';
import { cutAtEmbedding } from '../../probes/onnx/cut-embedding';
import { findEmbedding } from '../../probes/onnx/embedding';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { decodeModel, type OnnxModel } from '../../format/onnx/model';
import { MAX_SUBGRAPH_DEPTH, MAX_TENSOR_ELEMENTS } from '../../format/onnx/validate';
import { initBackend } from '../../training/backend';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { exportBytes } from '../helpers/export';
import { mutate } from './mutate';

/**
 * Hostile ONNX files: every mutated, truncated or crafted model given to smallscope ends in a UsageError
 * with a message or in a valid result, within a time and memory bound. The mutations are seeded; a failure
 * names its seed. SMALLSCOPE_FUZZ_CASES sets the count (default 2000, e.g. 100000 for a long run).
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const REFERENCE = PYTORCH_PLAIN;
const CASES = Number(process.env.SMALLSCOPE_FUZZ_CASES ?? 2000);
/** Per-case bound: the slowest case seen on 2 cores is a few ms; 2 s means something went quadratic. */
const CASE_MS = 2000;
/** The whole loop: 150 ms a case (about 20 ms here, 90 ms at a load of 10), at least the default 120 s. */
const FUZZ_TIMEOUT_MS = Math.max(120_000, CASES * 150);
/**
 * CPU time (user + system) since `t0`, ms: the bounds here are on work done, which wall time measures badly on
 * a shared machine (at a load average of 10 on 2 cores a 300 ms case took 3.5 s of wall time).
 */
const cpuMs = (t0: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
};
/** Resident memory may grow this much over the whole run (GC noise included), not by gigabytes. */
const RSS_GROWTH = 512 * 2 ** 20;

let seeds: { name: string; bytes: Uint8Array }[] = [];

beforeAll(async () => {
  await initBackend();
  const spec = makeSpec('conv-attn', { d_model: 16, n_heads: 2, pos_embed: true, max_seq: 16 });
  const params = initParams(spec, new Rng(3));
  const own = await exportBytes(spec, params);
  disposeParams(params);
  // Plain Uint8Array copies: Buffer#slice is a view, and the mutators must never write into a seed.
  seeds = [{ name: 'smallscope checkpoint', bytes: new Uint8Array(own) }];
  seeds.push({ name: 'PyTorch conv_attn.plain.onnx', bytes: new Uint8Array(readFileSync(REFERENCE)) });
});

/** What the library does with one file, as the CLI's inspect, the probes and the page's loader would. */
async function exercise(bytes: Uint8Array): Promise<'ok' | 'refused'> {
  try {
    // The page's loader: findAttention on the fetched bytes (no folder: external data always refused).
    const page = findAttention(bytes);
    void page.model.manifest?.arch.max_seq;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
  }
  let model: OnnxModel;
  try {
    model = decodeModel(bytes, { externalDataDir: '/models' });
  } catch (e) {
    if (e instanceof UsageError) return 'refused';
    throw e;
  }
  const steps: (() => unknown)[] = [
    () => inspectModel(model, { run: false }),
    () => findEmbedding(model),
    () => findConvs(model),
    () => {
      const found = findAttention(model);
      const g = indexGraph(model);
      for (const tap of found.taps) attentionWeights(g, tap);
      filtersReport(model, found.taps);
      return found;
    },
    () => cutAtEmbedding(model),
  ];
  let refused = false;
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      expect(e.message.length).toBeGreaterThan(0);
      refused = true;
    }
  }
  return refused ? 'refused' : 'ok';
}

describe('hostile ONNX files', () => {
  it(
    `each of ${CASES} mutated models (flips, truncations, splices, varint lengths) ends in a UsageError or a result, fast and without a memory spike`,
    async () => {
      const counts = { ok: 0, refused: 0 };
      const failures: string[] = [];
      let slowest = 0;
      const rss0 = process.memoryUsage().rss;
      let rssMax = rss0;
      for (let i = 0; i < CASES; i++) {
        const base = seeds[i % seeds.length];
        const donor = seeds[(i >> 1) % seeds.length];
        const { kind, bytes } = mutate(base.bytes, donor.bytes, i);
        const t0 = process.cpuUsage();
        try {
          counts[await exercise(bytes)]++;
        } catch (e) {
          if (failures.length < 10)
            failures.push(`seed ${i} (${kind} of ${base.name}): ${(e as Error).stack}`);
        }
        const ms = cpuMs(t0);
        slowest = Math.max(slowest, ms);
        if (ms > CASE_MS && failures.length < 10)
          failures.push(`seed ${i} (${kind}): took ${ms.toFixed(0)} ms`);
        if (i % 100 === 0) rssMax = Math.max(rssMax, process.memoryUsage().rss);
      }
      console.log(
        `fuzz: ${CASES} cases from ${seeds.length} seed models: ${counts.ok} gave results, ${counts.refused} refused; ` +
          `slowest ${slowest.toFixed(0)} ms; rss +${((rssMax - rss0) / 2 ** 20).toFixed(0)} MiB`,
      );
      expect(failures).toEqual([]);
      expect(counts.ok + counts.refused).toBe(CASES);
      expect(rssMax - rss0).toBeLessThan(RSS_GROWTH);
    },
    FUZZ_TIMEOUT_MS,
  );

  it('every truncation of the smallscope checkpoint at a field boundary or mid-field is refused or read, never thrown otherwise', async () => {
    const own = seeds[0].bytes;
    const step = Math.max(1, Math.floor(own.length / 400));
    for (let len = 0; len < own.length; len += step) await exercise(own.subarray(0, len));
  });
});

/** The checkpoint with its first float weight matrix edited (for the crafted cases below). */
function withTensor(edit: (t: onnx.ITensorProto) => void): Uint8Array {
  const proto = onnx.ModelProto.decode(seeds[0].bytes);
  const weight = proto.graph!.initializer!.find(
    (t) => t.dataType === onnx.TensorProto.DataType.FLOAT && (t.rawData?.length ?? 0) >= 64,
  )!;
  edit(weight);
  return onnx.ModelProto.encode(proto).finish();
}

function refusal(bytes: Uint8Array, opts?: { externalDataDir?: string }): string {
  try {
    decodeModel(bytes, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('the model was accepted');
}

describe('dims that would allocate gigabytes are refused before allocating', () => {
  it('refuses an initializer claiming dims [1e9, 1e9]', () => {
    const rss0 = process.memoryUsage().rss;
    expect(refusal(withTensor((t) => (t.dims = [1e9, 1e9])))).toMatch(
      /more than \d+ elements: refused before allocating/,
    );
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 2 ** 20);
  });

  it('refuses negative dims', () => {
    expect(refusal(withTensor((t) => (t.dims = [-1, 16])))).toMatch(
      /dimension -1: dimensions must be integers >= 0/,
    );
  });

  it('refuses dims just over the element limit even when each is small', () => {
    const d = Math.ceil(Math.sqrt(MAX_TENSOR_ELEMENTS)) + 1;
    expect(refusal(withTensor((t) => (t.dims = [d, d])))).toMatch(/refused before allocating/);
  });

  it('refuses raw_data whose length does not match the dims', () => {
    expect(refusal(withTensor((t) => (t.rawData = t.rawData!.subarray(0, t.rawData!.length - 4))))).toMatch(
      /raw bytes; its dims .* need/,
    );
  });

  it('refuses typed data (float_data) whose count does not match the dims', () => {
    expect(
      refusal(
        withTensor((t) => {
          t.rawData = new Uint8Array();
          t.floatData = [1, 2, 3];
        }),
      ),
    ).toMatch(/holds 3 values/);
  });
});

describe('external data', () => {
  const external = (location: string) =>
    withTensor((t) => {
      t.rawData = new Uint8Array();
      t.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      t.externalData = [{ key: 'location', value: location }];
    });

  it('is refused outright without a model folder (the browser, bytes from anywhere)', () => {
    expect(refusal(external('weights.bin'))).toMatch(/refers to external data .* self-contained/);
  });

  for (const [label, location] of [
    ['a `..` path', '../../etc/passwd'],
    ['an absolute path', '/etc/passwd'],
    ['a backslash path', '..\\..\\secret'],
    ['a Windows drive', 'C:/Windows/win.ini'],
    ['a NUL byte', 'w.bin\0.txt'],
  ] as const) {
    it(`is refused when it points outside the model's folder: ${label}`, () => {
      expect(refusal(external(location), { externalDataDir: '/models' })).toMatch(
        /outside the model's folder/,
      );
    });
  }

  it("is refused through a symlink in the model's folder that points out of it (Node)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-ext-'));
    try {
      symlinkSync('/etc/hostname', path.join(dir, 'weights.bin'));
      writeFileSync(path.join(dir, 'model.onnx'), external('weights.bin'));
      expect(() => openModelFile(path.join(dir, 'model.onnx'))).toThrow(
        /resolves outside the model's folder/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('inside the folder passes the check, but is never handed to ONNX Runtime (which would read it from the working directory)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-ext-'));
    try {
      mkdirSync(path.join(dir, 'data'));
      writeFileSync(path.join(dir, 'data', 'weights.bin'), new Uint8Array(64));
      writeFileSync(path.join(dir, 'model.onnx'), external('data/weights.bin'));
      const model = openModelFile(path.join(dir, 'model.onnx'));
      expect(model.externalData).toEqual([expect.objectContaining({ location: 'data/weights.bin' })]);
      await expect(createNodeRunner(model, model.bytes)).rejects.toThrow(/external data .*does not run/);
      // inspect reads the graph, and says why it stops where it needs those values.
      const outcome = await inspectModel(model, { run: true }).then(
        (r) => r.attention.error ?? '',
        (e: Error) => e.message,
      );
      expect(outcome).toMatch(/external data/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('absurd graphs end, quickly', () => {
  const graphOf = (nodes: onnx.INodeProto[], outputs: string[]) =>
    onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: nodes,
        input: [
          {
            name: 'tokens',
            type: { tensorType: { elemType: 7, shape: { dim: [{ dimParam: 'b' }, { dimParam: 't' }] } } },
          },
        ],
        output: outputs.map((name) => ({ name })),
      },
    }).finish();

  it('a cyclic graph (a Softmax feeding itself through Identity nodes) is read without hanging', async () => {
    const bytes = graphOf(
      [
        { opType: 'Softmax', input: ['c'], output: ['a'], name: 's' },
        { opType: 'Identity', input: ['a'], output: ['b'] },
        { opType: 'Identity', input: ['b'], output: ['c'] },
        { opType: 'Sum', input: ['a', 'a', 'a', 'a'], output: ['a'] },
      ],
      ['a'],
    );
    const t0 = process.cpuUsage();
    expect(await exercise(bytes)).toMatch(/ok|refused/);
    expect(cpuMs(t0)).toBeLessThan(1000);
  });

  it('20 000 Softmax nodes each with 20 000 pass-through aliases stay linear (under 5 s)', async () => {
    const n = 20_000;
    const nodes: onnx.INodeProto[] = [{ opType: 'Softmax', input: ['tokens'], output: ['s'], name: 'root' }];
    for (let i = 0; i < n; i++) nodes.push({ opType: 'Softmax', input: ['s'], output: [`p${i}`] });
    for (let i = 0; i < n; i++) nodes.push({ opType: 'Identity', input: ['s'], output: [`i${i}`] });
    const t0 = process.cpuUsage();
    await exercise(graphOf(nodes, ['s']));
    expect(cpuMs(t0)).toBeLessThan(5000);
  });

  it('a Sum fan-in 8 levels deep does not explode the attention-weights walk', async () => {
    const nodes: onnx.INodeProto[] = [];
    let prev = 'tokens';
    for (let d = 0; d < 10; d++) {
      nodes.push({ opType: 'Add', input: Array(64).fill(prev), output: [`x${d}`] });
      prev = `x${d}`;
    }
    nodes.push({ opType: 'Softmax', input: [prev], output: ['attn'] });
    const t0 = process.cpuUsage();
    await exercise(graphOf(nodes, ['attn']));
    expect(cpuMs(t0)).toBeLessThan(1000);
  });

  it('subgraphs nested deeper than the limit are refused by name', () => {
    expect(MAX_SUBGRAPH_DEPTH).toBeLessThan(20);
    let g: onnx.IGraphProto = { name: 'leaf', node: [{ opType: 'Identity', input: ['x'], output: ['y'] }] };
    for (let i = 0; i < 20; i++)
      g = {
        name: `g${i}`,
        node: [
          { opType: 'If', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g }] },
        ],
      };
    const bytes = onnx.ModelProto.encode({ irVersion: 8, graph: g }).finish();
    expect(refusal(bytes)).toMatch(/subgraphs nest more than/);
  });
});

/**
 * ONNX Runtime session creation on mutated files, in a child process with a timeout: a native abort would
 * take the test runner with it. The child does what the CLI does (decode, validate, find attention, then
 * create the session on the surgered bytes) and reports one line per file.
 */
describe('ONNX Runtime on mutated files', () => {
  it('creates or refuses a session for 40 mutated models without crashing or hanging the process', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-ortfuzz-'));
    try {
      const files: string[] = [];
      for (let i = 0; i < 40; i++) {
        const base = seeds[i % seeds.length];
        const { bytes } = mutate(base.bytes, seeds[0].bytes, 1_000_000 + i);
        const file = path.join(dir, `m${i}.onnx`);
        writeFileSync(file, bytes);
        files.push(file);
      }
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(REPO, 'tests/reliability/ort-child.ts'), ...files],
        { cwd: REPO, encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.error).toBeUndefined();
      expect(child.signal, child.stderr).toBeNull();
      expect(child.status, child.stderr).toBe(0);
      const lines = child.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { file: string; result: string });
      expect(lines).toHaveLength(files.length);
      for (const l of lines) expect(l.result).toMatch(/^(session|refused|ort-error)$/);
      const tally = lines.reduce<Record<string, number>>(
        (a, l) => ((a[l.result] = (a[l.result] ?? 0) + 1), a),
        {},
      );
      console.log(`ort: ${JSON.stringify(tally)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
