/**
 * Row and column labels and axis names of a pattern drawn against `tokens`: queries and keys are tokens,
 * unless the pattern has another number of rows (cross attention, seed 004: output steps over the input
 * tokens) or is square over another number than the tokens (seed 004's output steps attending to each other).
 */
export function patternAxes(pattern: number[][], tokens: string[]) {
  const cols = pattern[0]?.length ?? 0;
  const overTokens = cols === tokens.length;
  const cross = pattern.length !== tokens.length && overTokens;
  const outputSelf = !overTokens && pattern.length === cols;
  // the step's index: the axis title says what it is, and the panel's label margin fits one token
  const steps = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  return {
    rowLabels: cross || outputSelf ? steps(pattern.length) : tokens,
    colLabels: outputSelf ? steps(cols) : tokens,
    rowAxis: cross || outputSelf ? 'output step' : 'query',
    colAxis: outputSelf ? 'output step' : cross ? 'input token' : 'key',
    /** rows / cols, at most 1: a cross-attention panel is as wide as a square one and less tall */
    aspect: Math.min(1, pattern.length / Math.max(1, cols)),
  };
}
