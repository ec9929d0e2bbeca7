import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { argText, encodeText } from '../../format/text';
import { initBackend } from '../../training/backend';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { exportBytes } from '../helpers/export';

/**
 * Text input at the edges: empty, not UTF-8, control characters, longer than the model's context. Each ends
 * in a one-line message (exit 2) or a result; nothing is cut silently. (The page cuts text at the model's
 * maximum and says so next to the token count: ModelSession's `truncated`.)
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let bounded: string; // positional embedding of 16
let unbounded: string; // no positional embedding: any length runs, up to smallscope's own bound

beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(path.join(tmpdir(), 'smallscope-text-'));
  for (const [file, posEmbed] of [
    ['bounded.onnx', true],
    ['unbounded.onnx', false],
  ] as const) {
    const spec = makeSpec('conv-attn', { d_model: 16, pos_embed: posEmbed, max_seq: 16 });
    const params = initParams(spec, new Rng(1));
    writeFileSync(path.join(dir, file), await exportBytes(spec, params));
    disposeParams(params);
  }
  bounded = path.join(dir, 'bounded.onnx');
  unbounded = path.join(dir, 'unbounded.onnx');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(REPO, 'bin/smallscope.js'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
  });

function expectUsage(r: ReturnType<typeof cli>, message: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stdout).toBe('');
}

describe('text input', () => {
  it('refuses empty text by name', () => {
    expect(() => encodeText('')).toThrow(UsageError);
    expectUsage(cli('probe', 'attention', bounded, '--text', ''), /the text is empty/);
  });

  it('refuses a tokens file that is not UTF-8 (Latin-1 bytes), naming the file', () => {
    const file = path.join(dir, 'latin1.json');
    writeFileSync(file, Buffer.from([0x5b, 0x5b, 0x31, 0x5d, 0x5d, 0xe9, 0xff]));
    expectUsage(
      cli('probe', 'attention', bounded, '--tokens-file', file),
      /latin1\.json' is not valid UTF-8/,
    );
  });

  it('refuses --text that reached Node as undecodable bytes (U+FFFD), rather than feeding EF BF BD', () => {
    expect(() => argText('caf\uFFFD')).toThrow(/--text is not valid UTF-8/);
    expectUsage(
      cli('probe', 'attention', bounded, '--text', 'caf\uFFFD au lait'),
      /--text is not valid UTF-8/,
    );
  });

  it('runs text with control characters and prints them escaped, never raw to the terminal', () => {
    const r = cli('probe', 'attention', bounded, '--text', 'a\u001b[31mb\tc\u0007');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\\x1b');
    expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it("refuses text longer than the model's positional embedding, naming both lengths (never cut silently)", () => {
    expectUsage(
      cli('probe', 'attention', bounded, '--text', 'x'.repeat(40)),
      /has 40 tokens; this model's positional embedding covers 16.*never cuts it silently/,
    );
  });

  it('refuses text longer than smallscope runs on a model without a bound (attention maps are T x T)', () => {
    expectUsage(
      cli('probe', 'attention', unbounded, '--text', 'y'.repeat(5000)),
      /has 5000 tokens; smallscope runs at most 4096/,
    );
  });
});
