import { PATTERN_RE } from '../../../format/manifest';
import { isCross, type Patterns } from '$probes/attention';
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
    const cross = isCross(tap) || rows !== cols;
    const layer = Number(PATTERN_RE.exec(tap.name)?.[1] ?? i);
    for (let head = 0; head < heads; head++) {
      // A view, not a copy: patterns are never changed in place, and a 2048-token map is 16 MB.
      const values = data.subarray(head * per, (head + 1) * per);
      maps.push({ output: tapLabel(tap), canonical: tap.name, layer, head, rows, cols, cross, values });
    }
  });
  return maps.sort((a, b) => a.layer - b.layer || a.head - b.head);
}

/**
 * What a map's rows and columns are, as a heatmap labels them: queries over keys, both the tokens; or, for cross
 * attention, output steps (`out i`) over the input tokens.
 */
export function mapAxes(
  map: Pick<AttentionMap, 'cross' | 'rows'>,
  tokens: string[],
): { rowLabels: string[]; rowName: string; colName: string } {
  return map.cross
    ? {
        rowLabels: Array.from({ length: map.rows }, (_, i) => `out ${i}`),
        rowName: 'output step',
        colName: 'input token',
      }
    : { rowLabels: tokens, rowName: 'query', colName: 'key' };
}
