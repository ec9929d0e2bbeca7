import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTORCH_GPT2, PYTORCH_GPT2_BIAS } from '../../fixtures/paths';
import { expectUsageError, smallscope } from '../../helpers/cli';

/**
 * The GPT-2 style export's context on the command line, as a user meets it: `inspect` reports it, and text,
 * token files and --repeat-random past it are refused in one line with both lengths (exit 2), before ONNX
 * Runtime runs, so nothing of ORT's own reaches stderr.
 */
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-gpt2-'));
const text150 = 'the quick brown fox jumps over the lazy dog. '.repeat(4).slice(0, 150);
const refusal = (n: number, max: number, from: string) =>
  `smallscope: the sequence has ${n} tokens; this model takes at most ${max} (${from}): shorten the input (smallscope never cuts it silently)\n`;

describe('smallscope on a GPT-2 style export with a 128-row position table', () => {
  it('inspect reports "context: 128 tokens (position table /wpe/Gather)"', () => {
    const r = smallscope('inspect', PYTORCH_GPT2);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\ncontext: 128 tokens (position table /wpe/Gather)\n');
    expect(r.stderr).toBe('');
  });

  it('inspect --json gives "context": {"max_tokens": 128, "from": ...}, and 96 for the bias-buffer twin', () => {
    const json = (f: string) => JSON.parse(smallscope('inspect', f, '--json').stdout) as { context: unknown };
    expect(json(PYTORCH_GPT2).context).toEqual({ max_tokens: 128, from: 'position table /wpe/Gather' });
    expect(json(PYTORCH_GPT2_BIAS).context).toEqual({
      max_tokens: 96,
      from: 'buffer h.0.attn.bias [1, 1, 96, 96] sliced by the input length in /h.0/attn/Slice_2',
    });
  });

  it('refuses 150 bytes of --text in one line naming 150 and 128 (probe attention and heads)', () => {
    expect(text150).toHaveLength(150);
    for (const probe of ['attention', 'heads']) {
      const r = smallscope('probe', probe, PYTORCH_GPT2, '--text', text150);
      expectUsageError(r, /150 tokens; this model takes at most 128/);
      expect(r.stderr).toBe(refusal(150, 128, 'position table /wpe/Gather'));
    }
  });

  it('refuses a 150-token --tokens-file and --repeat-random 75 (2 x 75 tokens) the same way', () => {
    const file = join(scratch, 'tokens.json');
    writeFileSync(file, JSON.stringify([Array.from({ length: 150 }, (_, i) => 97 + (i % 26))]));
    expect(smallscope('probe', 'attention', PYTORCH_GPT2, '--tokens-file', file).stderr).toBe(
      refusal(150, 128, 'position table /wpe/Gather'),
    );
    const r = smallscope('probe', 'heads', PYTORCH_GPT2, '--repeat-random', '75', '--batch', '2');
    expectUsageError(r, /150 tokens/);
    expect(r.stderr).toBe(refusal(150, 128, 'position table /wpe/Gather'));
  });

  it('refuses 150 tokens for probe field too (it runs the model cut after its embedding)', () => {
    const r = smallscope('probe', 'field', PYTORCH_GPT2, '--text', text150, '--method', 'fd');
    expect(r.stderr).toBe(refusal(150, 128, 'position table /wpe/Gather'));
    expect(r.code).toBe(2);
  });

  it('the bias-buffer twin refuses 97 tokens and names its buffer', () => {
    const r = smallscope('probe', 'attention', PYTORCH_GPT2_BIAS, '--text', text150.slice(0, 97));
    expect(r.stderr).toBe(
      refusal(97, 96, 'buffer h.0.attn.bias [1, 1, 96, 96] sliced by the input length in /h.0/attn/Slice_2'),
    );
  });

  it('runs exactly 128 tokens: 2 layers x 4 heads of [1, 4, 128, 128], causal, nothing on stderr', () => {
    const r = smallscope('probe', 'attention', PYTORCH_GPT2, '--text', text150.slice(0, 128));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 row(s) x 128 tokens');
    for (const layer of [0, 1])
      expect(r.stdout).toContain(`blocks.${layer}.attn.hook_pattern  [1,4,128,128]`);
    expect(r.stdout.match(/attention to the future 0;/g)).toHaveLength(8);
  });
});
