import { tokenInputName } from '../../format/feeds';
import { constantTensor, type OnnxModel } from '../../format/onnx/model';

/**
 * The token embedding: a Gather whose table is a constant [vocab, d] matrix and whose indices come from the
 * graph's token input (possibly through a Cast). Its row count is the vocabulary; ids past it would make the
 * runtime fail with an index error far from the cause, so they are refused up front.
 */
export interface Embedding {
  node: string;
  table: string;
  vocab: number;
  dModel: number;
}

const THROUGH = new Set(['Cast', 'Identity', 'Unsqueeze', 'Squeeze', 'Reshape']);

export function findEmbedding(model: OnnxModel): Embedding | null {
  // Only the token input: a position table indexed by position_ids is a Gather from an input too.
  const token = tokenInputName(model.inputs);
  const inputs = new Set(token !== null ? [token] : model.inputs.map((i) => i.name));
  const producer = new Map(model.nodes.flatMap((n) => n.output.map((o) => [o, n] as const)));
  const fromInput = (name: string): boolean => {
    for (let depth = 0; depth < 4; depth++) {
      if (inputs.has(name)) return true;
      const node = producer.get(name);
      if (!node || !THROUGH.has(node.opType)) return false;
      name = node.input[0];
    }
    return false;
  };
  for (const node of model.nodes) {
    if (node.opType !== 'Gather' || !fromInput(node.input[1])) continue;
    const table = constantTensor(model, node.input[0]);
    if (table && table.dims.length === 2) {
      return {
        node: node.name || node.output[0],
        table: node.input[0],
        vocab: table.dims[0],
        dModel: table.dims[1],
      };
    }
  }
  return null;
}

/** The vocabulary to check ids against: the manifest's, else the embedding's rows, else unknown. */
export function vocabSize(model: OnnxModel): number | null {
  return model.manifest?.arch.vocab ?? findEmbedding(model)?.vocab ?? null;
}
