import type { AttentionMap } from './maps';
import type { PageSnapshot } from './page-snapshot';

export type { PageSnapshot };

export function snapshot(
  ckpt: string,
  text: string,
  tokens: number[],
  maps: AttentionMap[],
  runs: number,
): PageSnapshot {
  const patterns: Record<string, number[][][]> = {};
  const outputs: Record<string, string> = {};
  for (const m of maps) {
    const rows: number[][] = [];
    for (let q = 0; q < m.size; q++) rows.push(Array.from(m.values.subarray(q * m.size, (q + 1) * m.size)));
    (patterns[m.canonical] ??= [])[m.head] = rows;
    outputs[m.canonical] = m.output;
  }
  return { ckpt, text, tokens, patterns, outputs, runs };
}
