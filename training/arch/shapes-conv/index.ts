import type { Architecture } from '../architecture';
import { shapesForward, shapesParamDefs } from './model';
import { shapesGraph } from './onnx';

/** Seed 003: convs over a real-valued signal; logits = the prediction [batch, pos, 1]. */
export const shapesConv: Architecture<'shapes-conv'> = {
  kind: 'shapes-conv',
  paramDefs: shapesParamDefs,
  forward: shapesForward,
  graph: shapesGraph,
  patternLayers: (spec) => (spec.self_attn ? [1] : []),
};
