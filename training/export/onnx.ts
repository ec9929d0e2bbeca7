import { MANIFEST_KEY, type Manifest } from '../../format/manifest';
import { onnx } from '../../format/onnx/gen/onnx.js';
import type { ArchSpec } from '../models/spec';
import { architecture } from '../arch';
import { DataType, GraphBuilder, valueInfo } from './graph';
import { SIGNAL_INPUT } from '../arch/shapes-conv/onnx';

/**
 * The trained model as a self-contained ONNX graph (opset 17): the architecture writes its nodes
 * (training/arch/KIND/onnx.ts), this wraps them in a model with the manifest (JSON) in metadata_props under
 * MANIFEST_KEY.
 */
export const OPSET = 17;
export const IR_VERSION = 8;

export function buildOnnx(spec: ArchSpec, w: Record<string, Float32Array>, manifest: Manifest): Uint8Array {
  const g = new GraphBuilder();
  const outputs = architecture(spec).graph(g, spec, w);
  return encode(spec, manifest, g, outputs);
}

function encode(
  spec: ArchSpec,
  manifest: Manifest,
  g: GraphBuilder,
  outputs: onnx.IValueInfoProto[],
): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'smallscope',
    producerVersion: String(manifest.format),
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: manifest.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [
        spec.kind === 'shapes-conv'
          ? valueInfo(SIGNAL_INPUT, DataType.FLOAT, ['batch', 'pos'])
          : valueInfo('tokens', DataType.INT64, ['batch', 'pos']),
      ],
      output: outputs,
    },
    metadataProps: [{ key: MANIFEST_KEY, value: JSON.stringify(manifest) }],
  });
  return onnx.ModelProto.encode(model).finish();
}
