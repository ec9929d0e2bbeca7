import type { Gate } from '../onnx/gate-surgery';
import type { Tensor } from '../tensor';

/**
 * The keep and fill inputs of the head gates (probes/onnx/gate-surgery.ts) for one run: which head of which
 * row is replaced, and by what. Plain arrays, so the same code feeds onnxruntime-node and -web.
 */

/** One gate's tensor as a run holds it: rows x heads blocks of [pos, width] (z: width d_head; pattern: pos). */
export interface SiteLayout {
  heads: number;
  pos: number;
  width: number;
}

/**
 * Replace head `head` of row `row` at gate `gate`: by zeros (fill null), by a vector broadcast over the
 * positions (length width: a mean ablation), or by a whole [pos, width] block (a patch, a mean pattern).
 */
export interface HeadEdit {
  gate: number;
  row: number;
  head: number;
  fill: Float32Array | null;
}

const ONE = new Float32Array([1]);
const ZERO = new Float32Array([0]);

/** keep = 1, fill = 0 at every gate, [1, 1, 1] broadcast over any batch: the model as exported. */
export function identityInputs(gates: readonly Gate[]): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  for (const g of gates) {
    inputs[g.keep] = { dims: [1, 1, 1], data: ONE };
    inputs[g.fill] = { dims: [1, 1, 1], data: ZERO };
  }
  return inputs;
}

/** The inputs of a run of `rows` rows with `edits` applied; gates without edits stay the identity. */
export function gateInputs(
  gates: readonly Gate[],
  layouts: readonly (SiteLayout | null)[],
  rows: number,
  edits: readonly HeadEdit[],
): Record<string, Tensor> {
  const inputs = identityInputs(gates);
  gates.forEach((g, i) => {
    const mine = edits.filter((e) => e.gate === i);
    if (mine.length === 0) return;
    const layout = layouts[i];
    if (!layout) throw new Error(`gate ${i} has no layout: its heads cannot be edited`);
    const { heads, pos, width } = layout;
    const n = rows * heads;
    const keep = new Float32Array(n).fill(1);
    // The smallest fill that holds every edit: [n, 1, 1] zeros, [n, 1, width] vectors, [n, pos, width] blocks.
    const full = mine.some((e) => e.fill && e.fill.length !== width);
    const vector = !full && mine.some((e) => e.fill);
    const block = full ? pos * width : vector ? width : 1;
    const fill = new Float32Array(n * block);
    for (const e of mine) {
      if (e.row < 0 || e.row >= rows || e.head < 0 || e.head >= heads)
        throw new Error(`edit of row ${e.row} head ${e.head} outside ${rows} rows x ${heads} heads`);
      const at = e.row * heads + e.head;
      keep[at] = 0;
      if (!e.fill) continue;
      if (e.fill.length !== width && e.fill.length !== pos * width)
        throw new Error(`a fill of ${e.fill.length} values is neither ${width} nor ${pos} x ${width}`);
      if (block === pos * width && e.fill.length === width)
        for (let p = 0; p < pos; p++) fill.set(e.fill, at * block + p * width); // a vector at every position
      else fill.set(e.fill, at * block);
    }
    inputs[g.keep] = { dims: [n, 1, 1], data: keep }; // [rows * heads, 1, 1]
    inputs[g.fill] = { dims: [n, full ? pos : 1, vector || full ? width : 1], data: fill };
  });
  return inputs;
}

/** Head `head` of row `row` of a raw gate tensor laid out as `layout`: a [pos, width] block (a view). */
export function headBlock(raw: Tensor, layout: SiteLayout, row: number, head: number): Float32Array {
  const size = layout.pos * layout.width;
  const at = (row * layout.heads + head) * size;
  return raw.data.subarray(at, at + size);
}
