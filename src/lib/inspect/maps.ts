import { PATTERN_RE } from '../../../format/manifest';
import { isCross, isOutputSelf, type Patterns } from '$probes/attention';
import { tapLabel } from '$lib/attention-label';

/** One head's attention pattern for the first sequence of the batch: what one heatmap draws. */
export interface AttentionMap {
  /** Graph tensor it came from (see tapLabel). */
  output: string;
  /** Canonical hook name, `blocks.{layer}.attn.hook_pattern`. */
  canonical: string;
  layer: number;
  head: number;
  /** Query rows: T, or the output steps of cross attention. */
  rows: number;
  /** Key columns: the T input positions. */
  cols: number;
  /** Cross attention (encoder-decoder): rows are output steps, columns input tokens; no head scores. */
  cross: boolean;
  /** The output steps attending to each other (seed 004's self attention): rows and columns output steps. */
  outputSelf?: boolean;
  /** Row-major [query][key] weights; row q is how query q spreads its attention over keys 0..T-1. */
  values: Float32Array;
}

/** Split the probes' [batch, head, query, key] patterns (batch element 0) into per-head maps, by layer then head. */
export function attentionMaps({ patterns, taps }: Patterns): AttentionMap[] {
  const maps: AttentionMap[] = [];
  taps.forEach((tap, i) => {
    const { dims, data } = patterns[tap.name];
    const [, heads, rows, cols] = dims;
    const per = rows * cols;
    const outputSelf = isOutputSelf(tap);
    const cross = !outputSelf && (isCross(tap) || rows !== cols);
    const layer = Number(PATTERN_RE.exec(tap.name)?.[1] ?? i);
    for (let head = 0; head < heads; head++) {
      // A view, not a copy: patterns are never changed in place, and a 2048-token map is 16 MB.
      const values = data.subarray(head * per, (head + 1) * per);
      maps.push({
        output: tapLabel(tap),
        canonical: tap.name,
        layer,
        head,
        rows,
        cols,
        cross,
        ...(outputSelf ? { outputSelf } : {}),
        values,
      });
    }
  });
  return maps.sort((a, b) => a.layer - b.layer || a.head - b.head);
}

/** Whether a map's rows are output steps, not the tokens (cross attention, the output steps' self attention). */
export const overSteps = (map: Pick<AttentionMap, 'cross' | 'outputSelf'>): boolean =>
  map.cross || !!map.outputSelf;

/**
 * What a map's rows and columns are, as a heatmap labels them: queries over keys, both the tokens; for cross
 * attention, output steps (`out i`) over the input tokens; for the output steps' self attention, output steps
 * both ways.
 */
export function mapAxes(
  map: Pick<AttentionMap, 'cross' | 'outputSelf' | 'rows' | 'cols'>,
  tokens: string[],
): { rowLabels: string[]; colLabels: string[]; rowName: string; colName: string } {
  const steps = (n: number) => Array.from({ length: n }, (_, i) => `out ${i}`);
  if (map.outputSelf)
    return {
      rowLabels: steps(map.rows),
      colLabels: steps(map.cols),
      rowName: 'output step',
      colName: 'output step',
    };
  return map.cross
    ? { rowLabels: steps(map.rows), colLabels: tokens, rowName: 'output step', colName: 'input token' }
    : { rowLabels: tokens, colLabels: tokens, rowName: 'query', colName: 'key' };
}
