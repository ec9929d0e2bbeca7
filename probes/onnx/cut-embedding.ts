import { UsageError } from '../../format/errors';
import { planFeeds, type FeedSpec } from '../../format/feeds';
import { findEmbedding } from './embedding';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { staticDims, type OnnxModel } from '../../format/onnx/model';

/**
 * A copy of a model whose input is the embedding vectors instead of the token ids: the Gather that looks the
 * ids up in the embedding table is removed and its output tensor becomes a graph input [batch, pos, d]. The
 * rest of the graph (convs, attention, read-out) is unchanged, so a runtime can evaluate the model at
 * perturbed embeddings (finite-difference gradients d y / d e_s).
 *
 * Why re-encode and not append bytes (surgery.ts): appending relies on protobuf's merge rule, which can only
 * add entries to repeated fields; cutting needs a node and (usually) an input taken away, which merging cannot
 * express. The proto classes are generated from the current onnx.proto (format/onnx/gen), so the fields an
 * exporter writes today survive the round trip; fields newer than our schema would be dropped, which is why
 * the probes that only add outputs keep appending bytes instead.
 */
export const NO_EMBEDDING =
  'no embedding lookup found: probe field needs a Gather on a constant [vocab, d] table fed by the token input';

export interface CutModel {
  bytes: Uint8Array;
  /** the new float input [batch, pos, d]: the former Gather output */
  embeddingInput: string;
  /** the token input, when the rest of the graph still reads it (e.g. Shape for a causal mask), else null */
  tokenInput: string | null;
  table: string;
  vocab: number;
  dModel: number;
  /** The graph's other inputs (attention_mask, position_ids, ...), fed by rule (format/feeds.ts). */
  others: FeedSpec[];
}

export function cutAtEmbedding(model: OnnxModel): CutModel {
  const emb = findEmbedding(model);
  if (!emb) throw new UsageError(NO_EMBEDDING);
  const graph = model.proto.graph!;
  const gather = graph.node!.find((n) => (n.name || n.output?.[0]) === emb.node)!;
  const out = gather.output![0];
  const dims = staticDims(model, out);
  if (dims && dims.length !== 3) {
    throw new UsageError(
      `the embedding lookup gives a rank-${dims.length} tensor; probe field needs [batch, pos, d]`,
    );
  }
  const nodes = graph.node!.filter((n) => n !== gather);
  const plan = planFeeds(model.inputs);
  const tokenInput = plan.tokens.name;
  const stillRead = tokenInput !== null && nodes.some((n) => (n.input ?? []).includes(tokenInput));
  const keptInputs = (graph.input ?? []).filter((i) => i.name !== tokenInput || stillRead);
  const embeddingInput: onnx.IValueInfoProto = {
    name: out,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'pos' }, { dimValue: emb.dModel }] },
      },
    },
  };
  const cut = onnx.ModelProto.create({
    ...model.proto,
    graph: onnx.GraphProto.create({
      ...graph,
      node: nodes,
      input: [embeddingInput, ...keptInputs],
      // value_info for the former Gather output would now duplicate an input
      valueInfo: (graph.valueInfo ?? []).filter((v) => v.name !== out),
    }),
  });
  return {
    bytes: onnx.ModelProto.encode(cut).finish(),
    embeddingInput: out,
    tokenInput: stillRead ? tokenInput : null,
    table: emb.table,
    vocab: emb.vocab,
    dModel: emb.dModel,
    others: plan.others,
  };
}
