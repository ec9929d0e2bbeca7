import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PYTORCH_PLAIN } from '../fixtures/paths';

/** The command line as a user meets it: `node bin/smallscope.js ...`, exit codes and one-line errors. */
const repo = fileURLToPath(new URL('../../', import.meta.url));
const model = PYTORCH_PLAIN;
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-cli-'));

function smallscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/smallscope.js', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(r: ReturnType<typeof smallscope>, message: RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
}

describe('smallscope probe / inspect (CLI)', () => {
  it('refuses a file that is not ONNX: exit 2, one line on stderr', () => {
    const notOnnx = join(scratch, 'notes.onnx');
    writeFileSync(notOnnx, 'just some text, not a model\n');
    expectUsageError(smallscope('probe', 'attention', notOnnx, '--text', 'hi'), /not an ONNX model/);
    expectUsageError(smallscope('inspect', notOnnx), /not an ONNX model/);
  });

  it('refuses a missing model file', () => {
    expectUsageError(smallscope('inspect', join(scratch, 'missing.onnx')), /does not exist/);
  });

  it('refuses empty text', () => {
    expectUsageError(smallscope('probe', 'attention', model, '--text', ''), /text is empty/);
  });

  it('refuses a tokens file with rows of different lengths, and ids outside the vocabulary', () => {
    const ragged = join(scratch, 'ragged.json');
    writeFileSync(ragged, '[[1, 2, 3], [4]]');
    expectUsageError(smallscope('probe', 'attention', model, '--tokens-file', ragged), /equal length/);
    const big = join(scratch, 'big.json');
    writeFileSync(big, '[[1, 2, 256]]');
    expectUsageError(
      smallscope('probe', 'heads', model, '--tokens-file', big),
      /outside the vocabulary of 256/,
    );
  });

  it('refuses --text together with --tokens-file', () => {
    expectUsageError(
      smallscope('probe', 'attention', model, '--text', 'a', '--tokens-file', 'x.json'),
      /only one of/,
    );
  });

  it('prints one JSON document for probe attention --json, with rows summing to 1', () => {
    const r = smallscope('probe', 'attention', model, '--text', 'abcabc', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.tokens).toEqual([[97, 98, 99, 97, 98, 99]]);
    const p: number[][][][] = doc.patterns['blocks.0.attn.hook_pattern'];
    expect([p.length, p[0].length, p[0][0].length, p[0][0][0].length]).toEqual([1, 1, 6, 6]);
    for (const row of p[0][0]) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
  });

  it('prints per-head scores for probe heads --json, with the period implied by --repeat-random', () => {
    const r = smallscope('probe', 'heads', model, '--repeat-random', '10', '--batch', '2', '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.period).toMatchObject({ n: 10, source: 'repeat-random' });
    expect(doc.heads[0]).toMatchObject({ name: 'L0H0', layer: 0, head: 0 });
    for (const key of [
      'induction',
      'induction_clean',
      'induction_arena',
      'previous_token',
      'duplicate_token',
    ]) {
      expect(typeof doc.heads[0][key]).toBe('number');
    }
  });

  it('reports what inspect finds: attention, the conv taps and their offsets', () => {
    const r = smallscope('inspect', model, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.attention.found[0]).toMatchObject({
      name: 'blocks.0.attn.hook_pattern',
      tensor: '/m/Softmax_output_0',
    });
    expect(doc.convs[0].taps).toEqual([
      { tap: 0, offset: -1, zero: false },
      { tap: 1, offset: 0, zero: false },
      { tap: 2, offset: 1, zero: true },
    ]);
  });
});
