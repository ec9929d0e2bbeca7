import { constantTensor, type OnnxModel } from '../../format/onnx/model';
import { paramDefs } from '../models/params';
import type { ArchSpec } from '../models/spec';

/**
 * The inverse of the exporter (onnx.ts, onnx_conv_stack.ts): the tfjs parameter values back from the ONNX
 * initializers of a checkpoint smallscope wrote, so the tfjs model can be rebuilt from the file alone (the tests
 * check the export's round trip with it). Exact gradients no longer need it: they differentiate the graph
 * itself (runtime/tfjs), whatever wrote it.
 *
 * Every parameter is stored under its own name in its own layout, except the conv weights:
 *
 *   blocks.{l}.conv.W [k, in, out] (tap-major)  <-  blocks.{l}.conv.weight [out, in, k] (ONNX/PyTorch layout)
 *   blocks.{l}.conv.b [out]                     <-  blocks.{l}.conv.bias [out]
 *
 * For conv-attn the graph holds the masked weight: its future tap comes back as zeros, which the tfjs conv
 * never reads, so the rebuilt model computes exactly what the checkpoint's model computed.
 */

/** Architectures whose tfjs model training/models builds (and whose export this file inverts). */
export const REBUILDABLE_KINDS: readonly ArchSpec['kind'][] = [
  'conv-attn',
  'attn-attn',
  'conv-stack',
  'mamba',
];

export interface RebuiltWeights {
  spec: ArchSpec;
  values: Record<string, Float32Array>;
}

const CONV_W = /^(blocks\.\d+\.conv)\.W$/;
const CONV_B = /^(blocks\.\d+\.conv)\.b$/;

/**
 * The parameter values of a smallscope checkpoint, or a one-line reason why they cannot be recovered (no
 * manifest, an architecture training/ cannot build, a missing or misshapen initializer).
 */
export function weightsFromOnnx(model: OnnxModel): RebuiltWeights | { reason: string } {
  const manifest = model.manifest;
  if (!manifest) return { reason: 'the file has no smallscope manifest' };
  const spec = manifest.arch;
  if (!REBUILDABLE_KINDS.includes(spec.kind)) {
    return { reason: `smallscope cannot rebuild a '${spec.kind}' model in tfjs` };
  }
  let defs;
  try {
    defs = paramDefs(spec);
  } catch (e) {
    return { reason: `the manifest's architecture cannot be built: ${(e as Error).message}` };
  }
  const values: Record<string, Float32Array> = {};
  for (const def of defs) {
    const size = def.shape.reduce((a, b) => a * b, 1);
    const w = CONV_W.exec(def.name);
    const b = CONV_B.exec(def.name);
    const stored = w ? `${w[1]}.weight` : b ? `${b[1]}.bias` : def.name;
    let t;
    try {
      t = constantTensor(model, stored);
    } catch (e) {
      return { reason: `initializer '${stored}' cannot be read: ${(e as Error).message}` };
    }
    if (!t) return { reason: `the graph has no initializer '${stored}' for ${def.name}` };
    if (w) {
      const [k, cin, cout] = def.shape;
      if (t.dims.join() !== [cout, cin, k].join()) {
        return { reason: `'${stored}' is [${t.dims}], expected [${[cout, cin, k]}]` };
      }
      // [out, in, k] -> [k, in, out]
      const v = new Float32Array(size);
      for (let tap = 0; tap < k; tap++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) v[(tap * cin + i) * cout + o] = t.data[(o * cin + i) * k + tap];
      values[def.name] = v;
    } else {
      if (t.dims.join() !== def.shape.join()) {
        return { reason: `'${stored}' is [${t.dims}], expected [${def.shape}]` };
      }
      values[def.name] = Float32Array.from(t.data);
    }
  }
  return { spec, values };
}
