import { outputReserve } from '../../../runtime/web/output-arrays';
import type { AttentionMap } from './maps';
import type { TokenLoss } from './causal-run';
import type { PageSnapshot } from './page-snapshot';

export type { PageSnapshot };

export function snapshot(
  ckpt: string,
  text: string,
  tokens: number[],
  maps: AttentionMap[],
  runs: number,
  loss: TokenLoss | null = null,
): PageSnapshot {
  const outputs: Record<string, string> = {};
  for (const m of maps) outputs[m.canonical] = m.output;
  // Nested arrays of every weight are tens of MB at 2048 tokens: built when first read (by a test), not per run.
  let patterns: Record<string, number[][][]> | null = null;
  const build = () => {
    const all: Record<string, number[][][]> = {};
    for (const m of maps) {
      const rows: number[][] = [];
      for (let q = 0; q < m.rows; q++) rows.push(Array.from(m.values.subarray(q * m.cols, (q + 1) * m.cols)));
      (all[m.canonical] ??= [])[m.head] = rows;
    }
    return all;
  };
  return {
    ckpt,
    text,
    tokens,
    get patterns() {
      return (patterns ??= build());
    },
    outputs,
    runs,
    loss: loss && {
      clean: loss.clean,
      ablated: loss.ablated,
      heads: loss.heads.map((h) => `L${h.layer}H${h.head}`),
    },
    outputArrays: outputReserve.counts,
  };
}

/**
 * Mark that the heatmaps of run `runs` (of `text`) are drawn: a `smallscope:drawn` performance mark and a
 * window event of the same name with { text, runs, ms } (ms: the model run's wall time), for the latency
 * benchmark (bench/app-latency). Nothing listens in normal use.
 */
export function announceDrawn(text: string, runs: number, ms: number): void {
  performance.clearMarks('smallscope:drawn');
  performance.mark('smallscope:drawn');
  window.dispatchEvent(new CustomEvent('smallscope:drawn', { detail: { text, runs, ms } }));
}
