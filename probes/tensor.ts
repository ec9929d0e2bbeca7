/** A dense float tensor as the probes see it: row-major data with its dimensions. */
export interface Tensor {
  dims: number[];
  data: Float32Array;
}

export function size(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export function tensor(dims: number[], data?: Float32Array): Tensor {
  const n = size(dims);
  if (data && data.length !== n)
    throw new Error(`tensor of shape [${dims}] needs ${n} values, got ${data.length}`);
  return { dims, data: data ?? new Float32Array(n) };
}
