import { describe, expect, it } from 'vitest';
import { applyOps, parseOp, solve, validateVselcopy, vselcopySample } from '../../../training/tasks/vselcopy';
import { Rng } from '../../../training/random';

describe('very selective copying (seed 001)', () => {
  it('applying NPFKT:5>4 3>1 1>4 4>2 1>3 gives NFTPK', () => {
    expect(solve('NPFKT:5>4 3>1 1>4 4>2 1>3')).toBe('NFTPK');
  });

  it('reproduces every 5-op example of the seed', () => {
    const examples = [
      'NPFKT:5>4 3>1 1>4 4>2 1>3:NFTPK',
      'UKLRM:5>1 4>2 1>4 2>4 3>2:KLMRU',
      'LCEWI:3>5 3>2 4>2 3>1 3>5:CWEIL',
      'LRUPX:1>4 3>2 5>4 1>3 2>1:URPXL',
      'UQJOR:5>4 2>5 5>4 4>3 2>5:URQJO',
      'HSBQA:4>5 4>5:HSBQA',
    ];
    for (const e of examples) expect(solve(e)).toBe(e.split(':')[2]);
  });

  it('stack ops: -x moves the x-th item to the stack and +x inserts it back at x (EJACQ: 1>2 -1 +3 -> EAJCQ)', () => {
    expect(applyOps('EJACQ', ['1>2', '-1', '+3'].map(parseOp))).toBe('EAJCQ');
    expect(applyOps('YNP', ['3>1', '-3', '2>1'].map(parseOp))).toBe('NP');
    expect(applyOps('DQ', ['-1'].map(parseOp))).toBe('Q');
  });

  it('refuses an op that references a missing item, and a pop from an empty stack', () => {
    expect(() => applyOps('ABC', [parseOp('4>1')])).toThrow(/references item 4, but there are only 3 items/);
    expect(() => applyOps('ABC', [parseOp('+1')])).toThrow(/empty stack/);
    expect(() => parseOp('3<1')).toThrow(/not an operation/);
  });

  it('generates samples in the seed format whose answer is the program output, padded to the input length', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const s = vselcopySample({ items: 26, length: [2, 5], ops: [1, 5], stack: true }, rng);
      expect(s.target).toMatch(/^[A-Z]{2,5}:([-+]?\d(>\d)? ?)*:[A-Z ]{2,5}$/);
      const [items, , answer] = s.target.split(':');
      expect(answer.length).toBe(items.length);
      expect(solve(s.target).padEnd(items.length, ' ')).toBe(answer);
      expect(s.input.slice(0, s.answerStart)).toBe(s.target.slice(0, s.answerStart));
      expect(s.input.slice(s.answerStart)).toMatch(/^\?+$/);
    }
  });

  it('draws the number of ops from the configured range (training 2-5, validation 5)', () => {
    const rng = new Rng(1);
    const counts = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const s = vselcopySample({ items: 26, length: [5, 5], ops: [2, 5], stack: false }, rng);
      counts.add(s.target.split(':')[1].split(' ').length);
    }
    expect([...counts].sort()).toEqual([2, 3, 4, 5]);
  });

  it('refuses configurations that cannot be generated', () => {
    expect(() => validateVselcopy({ items: 4, length: [2, 5], ops: [1, 5], stack: false })).toThrow(
      /at least 5 different items/,
    );
    expect(() => validateVselcopy({ items: 26, length: [5, 2], ops: [1, 5], stack: false })).toThrow(
      /--length/,
    );
    expect(() => validateVselcopy({ items: 26, length: [2, 5], ops: [3, 1], stack: false })).toThrow(/--ops/);
  });
});
