import type { Patterns } from '../../../probes/attention';
import { tokenLabel } from '../../../format/text';
import type { ProbeSession } from '../../model/probe-session';

/** What `probe attention` and `probe heads` print alike: token pieces, the tap list, one JSON line. */

/** The tokenizer's piece of every token (bytes: one label per byte), as printed and in --json. */
export function pieces(session: ProbeSession, tokens: number[][]): string[][] {
  const label = session.tokenizer?.label ?? tokenLabel;
  return tokens.map((row) => row.map((id) => label(id)));
}

export function print(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc)}\n`);
}

export function tapList(result: Patterns) {
  return result.taps.map((t) => ({
    name: t.name,
    tensor: t.tensor,
    source: t.source,
    node: t.node,
    ...(t.kind ? { kind: t.kind } : {}),
  }));
}

export const fmt = (x: number | null, digits = 4) =>
  x === null || Number.isNaN(x) ? '-' : x.toFixed(digits);

/** The first row's tokens as text (pieces joined by | for a tokenizer's), cut at 60 characters. */
export function preview(tokens: number[][], session: ProbeSession): string {
  const label = session.tokenizer?.label ?? tokenLabel;
  const row = tokens[0]
    .map((id) => label(id))
    .join(session.tokenizer && session.tokenizer.name !== 'bytes' ? '|' : '');
  return row.length > 60 ? `${row.slice(0, 57)}...` : row;
}
