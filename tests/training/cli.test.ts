import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseManifest, MANIFEST_KEY } from '../../format/manifest';
import { onnx } from '../../format/onnx/gen/onnx.js';

const run = promisify(execFile);
const bin = path.resolve('bin/smallscope.js');

async function smallscope(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [bin, ...args], {
      env: { ...process.env, SMALLSCOPE_DEBUG: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('smallscope train', () => {
  it('--json prints exactly one JSON summary on stdout and writes a checkpoint whose manifest validates', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'smallscope-cli-')), 'run');
    const r = await smallscope([
      'train',
      '--arch',
      'conv-attn',
      '--task',
      'text',
      '--out',
      out,
      '--d-model',
      '8',
      '--seq-len',
      '8',
      '--batch',
      '2',
      '--steps',
      '3',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(summary).toMatchObject({
      steps: 3,
      batch: 2,
      seq_len: 8,
      params: 256 * 8 + (8 * 8 * 3 + 8) + 3 * 64 + 8 * 256 + 256,
    });
    expect(summary.mask_error).toBeNull();
    expect(summary.sample_error).toBeNull();
    expect(summary.backend).toMatch(/^wasm|tfjs-node/);
    expect(readdirSync(out).sort()).toEqual([
      'metrics.jsonl',
      'model.onnx',
      'summary.json',
      'train_state.bin',
    ]);
    const model = onnx.ModelProto.decode(readFileSync(path.join(out, 'model.onnx')));
    const entry = model.metadataProps.find((p) => p.key === MANIFEST_KEY);
    const manifest = parseManifest(entry!.value!);
    expect(manifest.step).toBe(3);
    expect(manifest.training.backend).toBe(summary.backend);
    expect(manifest.conv_raw_stats!['blocks.0.conv'].map((t) => t.offset)).toEqual([-1, 0, 1]);
    expect(manifest.history.at(-1)!.step).toBe(3);
    expect(Number(model.opsetImport[0].version)).toBe(17);
    expect(model.graph!.node!.some((n) => n.opType === 'Conv')).toBe(true);
  });

  it('a bad flag value exits 2 with one line naming the flag', async () => {
    const r = await smallscope(['train', '--arch', 'conv-attn', '--out', '/tmp/x', '--steps', 'ten']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--steps must be an integer/);
    expect(r.stdout).toBe('');
  });
});
