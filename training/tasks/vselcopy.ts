import { UsageError } from '../../format/errors';
import type { Rng } from '../random';
import { LETTERS, masked, type MaskedSample } from './masked-sample';

/**
 * Very selective copying (seed 001): a program over a list of items, `NPFKT:5>4 3>1 1>4 4>2 1>3:NFTPK`.
 * `x>y` swaps the x-th and y-th items (1-based); `-x` removes the x-th item onto a stack; `+x` pops the stack
 * and inserts the item at position x. The answer is the final list, padded with spaces to the input length.
 */
export type Op =
  { kind: 'swap'; a: number; b: number } | { kind: 'remove'; at: number } | { kind: 'insert'; at: number };

export interface VselcopyConfig {
  /** how many different letters items are drawn from (26 in the seed) */
  items: number;
  /** number of items in the input, [min, max] */
  length: [number, number];
  /** number of operations in the program, [min, max] */
  ops: [number, number];
  /** allow the stack operations -x and +x */
  stack: boolean;
}

export function formatOp(op: Op): string {
  if (op.kind === 'swap') return `${op.a}>${op.b}`;
  return op.kind === 'remove' ? `-${op.at}` : `+${op.at}`;
}

export function parseOp(s: string): Op {
  let m = /^(\d+)>(\d+)$/.exec(s);
  if (m) return { kind: 'swap', a: Number(m[1]), b: Number(m[2]) };
  m = /^([-+])(\d+)$/.exec(s);
  if (m) return { kind: m[1] === '-' ? 'remove' : 'insert', at: Number(m[2]) };
  throw new UsageError(
    `'${s}' is not an operation: use x>y (swap), -x (remove to stack) or +x (insert from stack)`,
  );
}

/** Run a program; an operation that references a missing item (or an empty stack) is refused with the reason. */
export function applyOps(items: string, ops: readonly Op[]): string {
  const list = items.split('');
  const stack: string[] = [];
  const need = (i: number, max: number, op: Op) => {
    if (i < 1 || i > max)
      throw new UsageError(
        `operation ${formatOp(op)} references item ${i}, but there are only ${list.length} items`,
      );
  };
  for (const op of ops) {
    if (op.kind === 'swap') {
      need(op.a, list.length, op);
      need(op.b, list.length, op);
      [list[op.a - 1], list[op.b - 1]] = [list[op.b - 1], list[op.a - 1]];
    } else if (op.kind === 'remove') {
      need(op.at, list.length, op);
      stack.push(list.splice(op.at - 1, 1)[0]);
    } else {
      if (stack.length === 0) throw new UsageError(`operation ${formatOp(op)} pops an empty stack`);
      need(op.at, list.length + 1, op);
      list.splice(op.at - 1, 0, stack.pop()!);
    }
  }
  return list.join('');
}

/** Parse and check a whole sample such as `NPFKT:5>4 3>1:NFTPK`; returns the answer the program gives. */
export function solve(question: string): string {
  const m = /^([A-Z]+):([-+0-9> ]*)$/.exec(question.replace(/:[A-Z ]*$/, ''));
  if (!m) throw new UsageError(`'${question}' is not of the form ITEMS:OPS[:ANSWER]`);
  const ops = m[2].trim() ? m[2].trim().split(/\s+/).map(parseOp) : [];
  return applyOps(m[1], ops);
}

export function validateVselcopy(c: VselcopyConfig): void {
  const [lmin, lmax] = c.length;
  const [omin, omax] = c.ops;
  if (!(c.items >= 2 && c.items <= 26)) throw new UsageError(`--items must be in 2..26, got ${c.items}`);
  if (!(lmin >= 2 && lmin <= lmax))
    throw new UsageError(`--length must be MIN,MAX with 2 <= MIN <= MAX, got ${c.length}`);
  if (lmax > c.items)
    throw new UsageError(`--length ${lmax} needs at least ${lmax} different items, --items is ${c.items}`);
  if (lmax > 9) throw new UsageError(`--length ${lmax} is above 9: positions are written as one digit`);
  if (!(omin >= 0 && omin <= omax))
    throw new UsageError(`--ops must be MIN,MAX with 0 <= MIN <= MAX, got ${c.ops}`);
}

export function vselcopySample(c: VselcopyConfig, rng: Rng): MaskedSample {
  const n = c.length[0] + rng.int(c.length[1] - c.length[0] + 1);
  const nops = c.ops[0] + rng.int(c.ops[1] - c.ops[0] + 1);
  const items = rng.sample(LETTERS.slice(0, c.items).split(''), n).join('');
  const ops: Op[] = [];
  let len = n;
  let stacked = 0;
  for (let i = 0; i < nops; i++) {
    // draw only operations that are valid for the list as it is at this point of the program
    const choice = c.stack ? rng.int(3) : 0;
    if (choice === 1 && len > 1) {
      ops.push({ kind: 'remove', at: 1 + rng.int(len) });
      len--;
      stacked++;
    } else if ((choice === 2 && stacked > 0) || len < 2) {
      // (a one-item list cannot swap; it has a stacked item to take back)
      ops.push({ kind: 'insert', at: 1 + rng.int(len + 1) });
      len++;
      stacked--;
    } else {
      const a = 1 + rng.int(len);
      let b = 1 + rng.int(len - 1);
      if (b >= a) b++;
      ops.push({ kind: 'swap', a, b });
    }
  }
  const answer = applyOps(items, ops).padEnd(n, ' ');
  return masked(`${items}:${ops.map(formatOp).join(' ')}:`, answer);
}
