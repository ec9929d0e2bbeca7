import { onnx } from '../../format/onnx/gen/onnx.js';

/**
 * Expose intermediate tensors as graph outputs, so a runtime can fetch them (ONNX Runtime only returns graph
 * outputs).
 *
 * We do not decode, edit and re-encode the model: our generated schema may be older than the exporter's, and
 * protobufjs silently drops fields it does not know. Instead we rely on protobuf's merge rule: when a singular
 * embedded message field (ModelProto.graph, field 7) occurs twice, parsers merge the second into the first,
 * and repeated fields inside it (GraphProto.output, field 12) are appended. So appending to the original bytes
 * one more `graph` field that holds only `output` entries adds those outputs and leaves every other byte as
 * the exporter wrote it. ValueInfoProto entries carry only a name; ONNX Runtime 1.30 accepts untyped outputs
 * and infers their type.
 */
export function exposeOutputs(
  bytes: Uint8Array,
  names: readonly string[],
  existing: readonly string[],
): Uint8Array {
  const have = new Set(existing);
  const add = [...new Set(names)].filter((n) => !have.has(n));
  if (add.length === 0) return bytes;
  // Encoding a message that only sets graph.output writes exactly: field 7 { field 12 { field 1: name } ... }.
  const patch = onnx.ModelProto.encode({ graph: { output: add.map((name) => ({ name })) } }).finish();
  const out = new Uint8Array(bytes.length + patch.length);
  out.set(bytes, 0);
  out.set(patch, bytes.length);
  return out;
}
