import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTORCH_GPT2, PYTORCH_GPT2_DIR } from '../../fixtures/paths';
import { expectUsageError, smallscope } from '../../helpers/cli';

/** probe ablate / patch / dla as a user runs them: the JSON the README documents, and one-line refusals. */
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-causal-cli-'));
const ref = JSON.parse(readFileSync(`${PYTORCH_GPT2_DIR}causal.json`, 'utf8'));
const json = (r: ReturnType<typeof smallscope>) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe('smallscope probe ablate', () => {
  it('--json: the loss and every head, matching the PyTorch reference within 1e-4', () => {
    const file = join(scratch, 'tokens.json');
    writeFileSync(file, JSON.stringify(ref.ablation.tokens));
    const doc = json(smallscope('probe', 'ablate', PYTORCH_GPT2, '--tokens-file', file, '--json'));
    expect(Object.keys(doc.loss)).toEqual(['baseline', 'per_token']);
    expect(Math.abs(doc.loss.baseline - ref.ablation.baseline)).toBeLessThan(1e-4);
    expect(doc.mode).toBe('zero');
    expect(doc.heads).toHaveLength(8);
    for (const [i, h] of doc.heads.entries()) {
      expect(Object.keys(h)).toEqual([
        'name',
        'layer',
        'head',
        'site',
        'loss',
        'loss_delta',
        'per_token_delta',
      ]);
      expect(h.name).toBe(`L${h.layer}H${h.head}`);
      expect(Math.abs(h.loss - ref.ablation.zero[i].loss)).toBeLessThan(1e-4);
      expect(h.per_token_delta).toHaveLength(3);
      expect(h.per_token_delta[0]).toHaveLength(23);
    }
  });

  it('--heads picks heads; --mode mean; --repeat-random', () => {
    const doc = json(
      smallscope(
        'probe',
        'ablate',
        PYTORCH_GPT2,
        '--repeat-random',
        '8',
        '--batch',
        '2',
        '--heads',
        '1.2,0.3',
        '--mode',
        'mean',
        '--json',
      ),
    );
    expect(doc.heads.map((h: { name: string }) => h.name)).toEqual(['L1H2', 'L0H3']);
    expect(doc.mode).toBe('mean');
    expect(doc.tokens).toHaveLength(2);
  });

  it('refuses a head the model does not have, a bad --heads and a single token, in one line', () => {
    expectUsageError(
      smallscope('probe', 'ablate', PYTORCH_GPT2, '--text', 'hello', '--heads', '2.0'),
      /no head 2\.0 .*layer 0: heads 0-3/,
    );
    expectUsageError(
      smallscope('probe', 'ablate', PYTORCH_GPT2, '--text', 'hello', '--heads', 'L0H1'),
      /--heads takes all or layer\.head/,
    );
    expectUsageError(smallscope('probe', 'ablate', PYTORCH_GPT2, '--text', 'h'), /at least 2 tokens/);
    expectUsageError(
      smallscope('probe', 'ablate', PYTORCH_GPT2, '--text', 'hello', '--mode', 'half'),
      /--mode/,
    );
  });
});

describe('smallscope probe patch', () => {
  const p = ref.patching.explicit;
  const text = (ids: number[]) => String.fromCharCode(...ids);
  it('--json: the table of recovered logit difference, answer and wrong given as text', () => {
    const doc = json(
      smallscope(
        'probe',
        'patch',
        PYTORCH_GPT2,
        '--clean',
        text(p.clean[0]),
        '--corrupt',
        text(p.corrupt[0]),
        '--answer',
        'a',
        '--wrong',
        's',
        '--json',
      ),
    );
    expect(doc.answer).toEqual({ id: 97, piece: 'a', source: 'flag' });
    expect(doc.table).toHaveLength(2);
    doc.table
      .flat()
      .forEach((x: number, i: number) => expect(Math.abs(x - p.recovered.flat()[i])).toBeLessThan(1e-4));
  });

  it("without --answer/--wrong: the clean and corrupted runs' top tokens, said", () => {
    const d = ref.patching.default;
    const doc = json(
      smallscope(
        'probe',
        'patch',
        PYTORCH_GPT2,
        '--clean',
        text(d.clean[0]),
        '--corrupt',
        text(d.corrupt[0]),
        '--json',
      ),
    );
    expect([doc.answer.id, doc.wrong.id]).toEqual([d.answer, d.wrong]);
    expect(doc.answer.source).toBe("the clean run's top token");
    expect(doc.notes.join()).toMatch(/answer: the clean run's top token/);
  });

  it('inputs of different token lengths: one line naming both, exit 2', () => {
    expectUsageError(
      smallscope('probe', 'patch', PYTORCH_GPT2, '--clean', 'abcdef', '--corrupt', 'abc'),
      /clean input has 6 tokens and the corrupted one 3/,
    );
    const file = join(scratch, 'pair.json');
    writeFileSync(
      file,
      JSON.stringify([
        [97, 98, 99],
        [97, 98],
      ]),
    );
    expectUsageError(
      smallscope('probe', 'patch', PYTORCH_GPT2, '--tokens-file', file),
      /row 0 has 3 tokens, row 1 has 2/,
    );
  });

  it('an answer that is not one token, or no input, is refused in one line', () => {
    expectUsageError(
      smallscope('probe', 'patch', PYTORCH_GPT2, '--clean', 'abc', '--corrupt', 'abd', '--answer', 'ab'),
      /--answer 'ab' is 2 tokens/,
    );
    expectUsageError(
      smallscope('probe', 'patch', PYTORCH_GPT2, '--clean', 'abc'),
      /give --clean TEXT and --corrupt TEXT/,
    );
  });
});

describe('smallscope probe dla', () => {
  it('--json: every head per position, the LayerNorm convention noted, matching PyTorch within 1e-4', () => {
    const d = ref.dla.text;
    const doc = json(
      smallscope('probe', 'dla', PYTORCH_GPT2, '--text', String.fromCharCode(...d.tokens[0]), '--json'),
    );
    expect(Object.keys(doc)).toEqual(['heads', 'logit', 'notes', 'tokens']);
    expect(doc.notes.join()).toMatch(/TransformerLens's convention \(apply_ln_to_stack\)/);
    doc.heads.forEach((h: { dla: number[][] }, i: number) =>
      h.dla[0].forEach((x, t) => expect(Math.abs(x - d.heads[i].dla[0][t])).toBeLessThan(1e-4)),
    );
  });
});
