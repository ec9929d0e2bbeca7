import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { figureProps } from '../../bin/figures/build';
import { MODEL, TEXT, cli, tmpDir } from './fixture';

/**
 * figure ablation / patching draw the numbers of probe ablate / probe patch (the CLI's JSON, on the same text),
 * and refuse a corrupted text of another length in one line.
 */
const tokens = [Array.from(new TextEncoder().encode(TEXT))];
const json = (args: string[]) => {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe('figure ablation and patching', () => {
  it("ablation: each cell is probe ablate's loss_delta of that layer and head", async () => {
    const ref = json(['probe', 'ablate', MODEL, '--text', TEXT, '--json']);
    const props = await figureProps('ablation', { kind: 'ablation', model: MODEL, tokens, text: TEXT });
    const values = props.values as (number | null)[][];
    expect(ref.heads.length).toBeGreaterThan(0);
    for (const h of ref.heads) expect(values[h.layer][h.head]).toBeCloseTo(h.loss_delta, 6);
    expect(values.flat()).toHaveLength(ref.heads.length);
  });

  it("patching: each cell is probe patch's recovered share, with the corrupted text given", async () => {
    const corrupt = `${TEXT.slice(0, -1)}x`;
    const ref = json(['probe', 'patch', MODEL, '--clean', TEXT, '--corrupt', corrupt, '--json']);
    const props = await figureProps('patching', {
      kind: 'patching',
      model: MODEL,
      tokens,
      text: TEXT,
      corrupt: [Array.from(new TextEncoder().encode(corrupt))],
      corruptText: corrupt,
    });
    expect(props.values).toEqual(ref.table);
    const out = path.join(tmpDir('patching'), 'p.svg');
    const r = cli(['figure', 'patching', MODEL, '--clean', TEXT, '--corrupt', corrupt, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(`corrupt: ${JSON.stringify(corrupt)}`);
  });

  it('a corrupted text of another length is one line, exit 2', () => {
    const out = path.join(tmpDir('patching-bad'), 'p.svg');
    const r = cli(['figure', 'patching', MODEL, '--clean', TEXT, '--corrupt', 'ab', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/same length/);
  });

  it('--corrupt on another kind is refused', () => {
    const out = path.join(tmpDir('corrupt-heads'), 'h.svg');
    const r = cli(['figure', 'heads', MODEL, '--text', TEXT, '--corrupt', TEXT, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--clean and --corrupt are for figure patching/);
  });
});
