/**
 * Row labels and axis names of a pattern drawn against `tokens`: queries are tokens, unless the pattern has
 * another number of rows (cross attention, seed 004: output steps over the input tokens).
 */
export function patternAxes(pattern: number[][], tokens: string[]) {
  const cross = pattern.length !== tokens.length;
  return {
    // the step's index: the axis title says what it is, and the panel's label margin fits one token
    rowLabels: cross ? pattern.map((_, i) => String(i)) : tokens,
    rowAxis: cross ? 'output step' : 'query',
    colAxis: cross ? 'input token' : 'key',
    /** rows / cols, at most 1: a cross-attention panel is as wide as a square one and less tall */
    aspect: Math.min(1, pattern.length / Math.max(1, pattern[0]?.length ?? 1)),
  };
}
