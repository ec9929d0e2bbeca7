import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeRunner } from '../../../runtime/node/ort-node';
import { asPattern, attentionPatterns, findAttention } from '../../../probes/attention';
import {
  allHeadScores,
  CROSS_NOTE,
  headScores,
  OUTPUT_SELF_NOTE,
  type CrossHeadRow,
} from '../../../probes/heads';
import { initBackend } from '../../../training/backend';
import { disposeParams, initParams } from '../../../training/models/params';
import { countingSpec } from '../../helpers/counting-spec';
import { Rng } from '../../../training/random';
import { exportBytes } from '../../helpers/export';

/**
 * Seed 004's counting model exports encoder-decoder attention `blocks.0.attn.hook_pattern` as [batch, 1, out
 * step, input step]: found as cross attention, fetched as [batch][head][output step][input position], and
 * given null head scores with a note (every head score needs a square pattern).
 */
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-counting-'));
const spec = countingSpec;
const TEXT = 'AB BC A  C';
const bytesOf = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
let model: Uint8Array;
let modelFile: string;

beforeAll(async () => {
  await initBackend();
  const params = initParams(spec(false), new Rng(6));
  model = await exportBytes(spec(false), params);
  disposeParams(params);
  modelFile = join(scratch, 'counting.onnx');
  writeFileSync(modelFile, model);
});

function smallscope(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/smallscope.js', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function patternsOf(bytes: Uint8Array, tokens: number[][]) {
  const found = findAttention(bytes);
  const runner = await createNodeRunner(found.model, found.bytes);
  try {
    return { found, result: await attentionPatterns(runner, found.taps, tokens) };
  } finally {
    await runner.dispose?.();
  }
}

describe('counting (seed 004): encoder-decoder attention as cross attention', () => {
  it('discovery reports the [batch, 1, out step, pos] output as a cross tap', () => {
    const { taps } = findAttention(model);
    expect(taps).toEqual([
      {
        name: 'blocks.0.attn.hook_pattern',
        tensor: 'blocks.0.attn.hook_pattern',
        source: 'output',
        node: null,
        axis: null,
        aliases: [],
        kind: 'cross',
      },
    ]);
  });

  it('fetches [batch, head, output step, input position], rows summing to 1; kind stays cross when S = T', async () => {
    const { result } = await patternsOf(model, [bytesOf(TEXT), bytesOf('CCCAB  BBA')]);
    const p = result.patterns['blocks.0.attn.hook_pattern'];
    expect(p.dims).toEqual([2, 1, 4, 10]);
    expect(result.taps[0].kind).toBe('cross');
    for (let r = 0; r < 2 * 4; r++) {
      const row = p.data.subarray(r * 10, r * 10 + 10);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
    // Four input tokens: as many as the output steps, so the pattern is square, and still cross attention.
    const four = await patternsOf(model, [bytesOf('ABCA')]);
    expect(four.result.patterns['blocks.0.attn.hook_pattern'].dims).toEqual([1, 1, 4, 4]);
    expect(four.result.taps[0].kind).toBe('cross');
  });

  it('with output self-attention: the [out, out] pattern is found as output-self and fetched at any input length', async () => {
    const params = initParams(spec(true), new Rng(6));
    const bytes = await exportBytes(spec(true), params);
    disposeParams(params);
    expect(findAttention(bytes).taps.map((t) => t.kind)).toEqual(['cross', 'output-self']);
    for (const text of [TEXT, 'ABCA', 'AB']) {
      const { result } = await patternsOf(bytes, [bytesOf(text), bytesOf(text)]);
      expect(result.skipped).toEqual([]);
      expect(result.taps.map((t) => [t.name, t.kind])).toEqual([
        ['blocks.0.attn.hook_pattern', 'cross'],
        ['blocks.1.attn.hook_pattern', 'output-self'],
      ]);
      expect(result.patterns['blocks.0.attn.hook_pattern'].dims).toEqual([2, 1, 4, text.length]);
      expect(result.patterns['blocks.1.attn.hook_pattern'].dims).toEqual([2, 1, 4, 4]);
    }
    // Head scores: none for either (neither is attention among the tokens).
    const { result } = await patternsOf(bytes, [bytesOf(TEXT)]);
    const rows = allHeadScores(
      result.patterns,
      [bytesOf(TEXT)],
      null,
      {},
      new Set(['blocks.0.attn.hook_pattern']),
      new Set(['blocks.1.attn.hook_pattern']),
    );
    expect(rows.map((r) => ['kind' in r ? r.kind : 'self', r.previous_token, r.induction])).toEqual([
      ['cross', null, null],
      ['output-self', null, null],
    ]);
    expect(rows[1]).toMatchObject({ name: 'L1H0', note: OUTPUT_SELF_NOTE });
  });

  it('asPattern keeps a non-square pattern over the input only when asked for cross attention', () => {
    const t = { dims: [2, 1, 4, 10], data: new Float32Array(80) };
    expect(asPattern(t, 2, 10, -1)).toMatch(/not square/);
    expect((asPattern(t, 2, 10, -1, true) as { dims: number[] }).dims).toEqual([2, 1, 4, 10]);
    expect(asPattern({ dims: [1, 4, 8], data: new Float32Array(32) }, 1, 10, -1, true)).toMatch(/not square/);
  });

  it('head scores: null with the note, and the per-step mass on the step’s own letter', async () => {
    const tokens = [bytesOf(TEXT)];
    const { result } = await patternsOf(model, tokens);
    const p = result.patterns['blocks.0.attn.hook_pattern'];
    expect(headScores(result.patterns, tokens, null)).toEqual([]); // self attention only
    const [row, ...rest] = allHeadScores(
      result.patterns,
      tokens,
      null,
      {},
      new Set(['blocks.0.attn.hook_pattern']),
    );
    expect(rest).toEqual([]);
    const cross = row as CrossHeadRow;
    expect(cross).toMatchObject({
      name: 'L0H0',
      kind: 'cross',
      note: CROSS_NOTE,
      induction: null,
      previous_token: null,
      duplicate_token: null,
      prefix_matching: null,
      detector: { previous_token_head: null, duplicate_token_head: null, induction_head: null },
    });
    // Step 0 counts 'A' (positions 0 and 6), step 1 'B' (1, 3), step 2 'C' (4, 9); step 3 has no letter.
    const at = (s: number, k: number) => p.data[s * 10 + k];
    expect(cross.letter_mass[0]).toBeCloseTo(at(0, 0) + at(0, 6), 6);
    expect(cross.letter_mass[1]).toBeCloseTo(at(1, 1) + at(1, 3), 6);
    expect(cross.letter_mass[2]).toBeCloseTo(at(2, 4) + at(2, 9), 6);
    expect(cross.letter_mass[3]).toBeNull();
  });

  it('`probe attention --json` prints [batch][head][output step][input position] patterns; the text says cross', () => {
    const r = smallscope('probe', 'attention', modelFile, '--text', TEXT, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const p: number[][][][] = doc.patterns['blocks.0.attn.hook_pattern'];
    expect([p.length, p[0].length, p[0][0].length, p[0][0][0].length]).toEqual([1, 1, 4, 10]);
    for (const row of p[0][0]) expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    expect(doc.taps).toEqual([
      {
        name: 'blocks.0.attn.hook_pattern',
        tensor: 'blocks.0.attn.hook_pattern',
        source: 'output',
        node: null,
        kind: 'cross',
      },
    ]);
    const text = smallscope('probe', 'attention', modelFile, '--text', TEXT);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('cross attention: 4 output steps x 10 input positions');
  });

  it('`probe heads` prints the head with null scores and the note', () => {
    const r = smallscope('probe', 'heads', modelFile, '--text', TEXT, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.heads).toHaveLength(1);
    expect(doc.heads[0]).toMatchObject({
      name: 'L0H0',
      kind: 'cross',
      note: CROSS_NOTE,
      induction: null,
      induction_arena: null,
      previous_token: null,
      duplicate_token: null,
    });
    expect(doc.heads[0].letter_mass).toHaveLength(4);
    const text = smallscope('probe', 'heads', modelFile, '--text', TEXT);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`note: L0H0: ${CROSS_NOTE}`);
    expect(text.stdout).toMatch(/L0H0 +- +- +- +- +- +- /);
  });
});
