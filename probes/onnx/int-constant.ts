import { toInt, type GraphNode, type OnnxModel } from '../../format/onnx/model';

/**
 * The exact integer values of a small int64/int32 constant (a Reshape's shape, a Slice's axes), read from the
 * tensor's own fields: constantTensor() goes through float32, which rounds 19,791,209,299,970 to ...968.
 * Null when the tensor is not such a constant (float, or more than 16 values).
 */
export function smallInts(model: OnnxModel, name: string): number[] | null {
  const t =
    model.initializers.get(name) ??
    constantNode(model, name)?.attribute.find((a) => a.name === 'value' && a.t)?.t;
  if (!t) return null;
  const dims = (t.dims ?? []).map(toInt);
  if (dims.length > 1 || (dims[0] ?? 1) > 16) return null;
  if (t.int64Data && t.int64Data.length > 0) return t.int64Data.map(toInt);
  if (t.int32Data && t.int32Data.length > 0) return t.int32Data.slice();
  const raw = t.rawData;
  if (!raw || raw.length === 0) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (t.dataType === 7 && raw.length % 8 === 0 && raw.length <= 128)
    return Array.from({ length: raw.length / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  if (t.dataType === 6 && raw.length % 4 === 0 && raw.length <= 64)
    return Array.from({ length: raw.length / 4 }, (_, i) => view.getInt32(i * 4, true));
  return null;
}

const constantIndex = new WeakMap<OnnxModel, Map<string, GraphNode>>();
function constantNode(model: OnnxModel, name: string): GraphNode | undefined {
  let index = constantIndex.get(model);
  if (!index) {
    index = new Map();
    for (const n of model.nodes)
      if (n.opType === 'Constant' && n.output[0] && !index.has(n.output[0])) index.set(n.output[0], n);
    constantIndex.set(model, index);
  }
  return index.get(name);
}
