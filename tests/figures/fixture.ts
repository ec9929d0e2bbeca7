import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { PYTORCH_MODEL, PYTORCH_PLAIN } from '../fixtures/paths';

/** Shared fixtures: the PyTorch reference model, and run folders made from it with a manifest added. */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const MODEL = PYTORCH_MODEL;
export const PLAIN = PYTORCH_PLAIN;
export const TEXT = 'abcdefgh abcdefgh';
export const SNAP = path.join(import.meta.dirname, '__snapshots__');

export function tmpDir(tag: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `smallscope-${tag}-`));
}

/** Copy `src` to `dest` with `manifest` stored under metadata key 'smallscope'. */
export function withManifest(src: string, dest: string, manifest: unknown): void {
  const proto = onnx.ModelProto.decode(readFileSync(src));
  proto.metadataProps = [
    onnx.StringStringEntryProto.create({ key: 'smallscope', value: JSON.stringify(manifest) }),
  ];
  writeFileSync(dest, onnx.ModelProto.encode(proto).finish());
}

/** Two runs in the seed's style: one with summary.json, one with only metrics.jsonl and a stack arch. */
export function makeRuns(): string {
  const dir = tmpDir('runs');
  const a = path.join(dir, 'run-a');
  const b = path.join(dir, 'run-b');
  mkdirSync(a);
  mkdirSync(b);
  mkdirSync(path.join(dir, 'not-a-run'));
  withManifest(MODEL, path.join(a, 'model.onnx'), {
    format: 1,
    name: 'a',
    arch: {
      kind: 'conv-attn',
      vocab: 256,
      d_model: 64,
      n_heads: 1,
      kernel: 3,
      residual: false,
      pos_embed: false,
      max_seq: 128,
    },
    tokenizer: 'bytes',
    task: { name: 'selcopy', area: 40, letters: 10 },
    training: {
      seed: 0,
      steps: 2000,
      batch: 64,
      seq_len: 64,
      lr: 0.003,
      warmup: 0.1,
      weight_decay: 0.01,
      backend: 'wasm',
    },
    step: 2000,
    params: 29920,
    history: [
      { step: 0, loss: 5.5, val_loss: 5.4 },
      { step: 1000, loss: 1.2, val_loss: 1.3, samples_per_s: 9000 },
      { step: 2000, loss: 0.5, val_loss: 0.6, samples_per_s: 10000 },
    ],
    created: '2025-01-01T00:00:00Z',
  });
  writeFileSync(
    path.join(a, 'summary.json'),
    JSON.stringify({
      val_loss: 0.428964,
      mask_error: 0.889958,
      sample_error: 1,
      samples_per_s: 10867.4,
      wall_s: 358.8,
    }),
  );
  withManifest(MODEL, path.join(b, 'model.onnx'), {
    format: 1,
    name: 'b',
    arch: { kind: 'conv-stack', layers: 3, channels: 32, kernel: 13, dilation: [5, 7, 1], attn: [0, 0, 'T'] },
    task: { name: 'selcopy', area: 80, letters: 10 },
    training: { batch: 64 },
    step: 20000,
    params: 61696,
    history: [],
  });
  writeFileSync(
    path.join(b, 'metrics.jsonl'),
    [
      { step: 10000, loss: 0.1, val_loss: 0.01, samples_per_s: 2600, mask_error: 0.125, sample_error: 0.5 },
      {
        step: 20000,
        loss: 0.01,
        val_loss: 3.31051e-6,
        samples_per_s: 2689.4,
        mask_error: 0,
        sample_error: 0,
      },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );
  return dir;
}

/** A run folder holding only the reference model and a metrics.jsonl (for the curves figure). */
export function curvesRun(): string {
  const dir = tmpDir('curves');
  copyFileSync(MODEL, path.join(dir, 'model.onnx'));
  const lines = Array.from({ length: 11 }, (_, i) => ({
    step: i * 300,
    loss: Number((5.5 * Math.exp(-i / 3) + 0.6).toFixed(4)),
    val_loss: Number((5.4 * Math.exp(-i / 3) + 0.7).toFixed(4)),
  }));
  writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return path.join(dir, 'model.onnx');
}

/** Run the CLI as a user would. */
export function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/smallscope.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, VITEST: '' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
