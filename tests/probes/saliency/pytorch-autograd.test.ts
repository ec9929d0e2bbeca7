import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SaliencyResult } from '../../../probes/saliency/saliency';
import { PYTORCH_GPT2, PYTORCH_GRAD_REFERENCE } from '../../fixtures/paths';
import { smallscope } from '../../helpers/cli';

/**
 * `smallscope probe saliency` against PyTorch autograd (tests/fixtures/pytorch-grad/make.py, float64) on the
 * GPT-2 style export: gradient x input s_i and ||d y / d e_i|| for the argmax logit at the last position, for
 * the logit of 'm', and for the mean next-token loss, within 1e-4 (relative to the largest |s_i| and norm).
 */
interface Case {
  target: number | 'loss';
  position: number | null;
  y: number;
  scores: number[];
  gradient_norms: number[];
}
const ref = JSON.parse(readFileSync(PYTORCH_GRAD_REFERENCE, 'utf8')).saliency_gpt2 as {
  text: string;
  tokens: number[];
  cases: Case[];
};

function expectClose(ours: number[], want: number[], tol: number) {
  expect(ours).toHaveLength(want.length);
  const scale = Math.max(...want.map(Math.abs));
  ours.forEach((v, i) => expect(Math.abs(v - want[i]), `[${i}]`).toBeLessThanOrEqual(tol * scale));
}

const run = (...args: string[]) => {
  const r = smallscope('probe', 'saliency', PYTORCH_GPT2, '--text', ref.text, ...args, '--json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as SaliencyResult;
};

describe('probe saliency = PyTorch autograd on the GPT-2 style export (within 1e-4)', () => {
  const [argmax, m, loss] = ref.cases;

  it('the argmax logit at the last position (the default target)', () => {
    const doc = run();
    expect(doc.tokens).toEqual(ref.tokens);
    expect(doc.target).toEqual({ id: argmax.target, string: String.fromCharCode(argmax.target as number) });
    expect(doc.position).toBe(argmax.position);
    expect(doc.method).toBe('exact (tfjs graph autodiff)');
    expect(doc.eps).toBeNull();
    expect(Math.abs(doc.y - argmax.y)).toBeLessThan(1e-4 * Math.abs(argmax.y));
    expectClose(doc.scores, argmax.scores, 1e-4);
    expectClose(doc.gradient_norms, argmax.gradient_norms, 1e-4);
  });

  it("--target m (a token string) and --target 109 (its id) agree with autograd's logit of 'm'", () => {
    const byString = run('--target', 'm');
    const byId = run('--target', '109', '--position', String(ref.tokens.length - 1));
    expect(byString.target).toEqual({ id: 109, string: 'm' });
    expect(byId.scores).toEqual(byString.scores);
    expectClose(byString.scores, m.scores, 1e-4);
    expectClose(byString.gradient_norms, m.gradient_norms, 1e-4);
  });

  it('--loss: the mean next-token cross-entropy over the row', () => {
    const doc = run('--loss');
    expect(doc.objective).toBe('loss');
    expect(doc.target).toBeNull();
    expect(doc.position).toBeNull();
    expect(Math.abs(doc.y - loss.y)).toBeLessThan(1e-4 * loss.y);
    expectClose(doc.scores, loss.scores, 1e-4);
    expectClose(doc.gradient_norms, loss.gradient_norms, 1e-4);
  });

  it('a tokens file with the same row gives the same scores', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smallscope-saliency-')), 'tokens.json');
    writeFileSync(file, JSON.stringify([ref.tokens]));
    const r = smallscope('probe', 'saliency', PYTORCH_GPT2, '--tokens-file', file, '--loss', '--json');
    expect(r.code).toBe(0);
    expectClose((JSON.parse(r.stdout) as SaliencyResult).scores, loss.scores, 1e-4);
  });
});
