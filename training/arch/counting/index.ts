import type { Architecture } from '../architecture';
import { countingForward, countingParamDefs, PRE_19_COUNTING } from './model';
import { countingGraph } from './onnx';

/**
 * Seed 004: output queries attending to the input (cross attention), then to each other (self_attn), each
 * followed by the residual and a LayerNorm as in the seed's TensorFlow model.
 */
export const counting: Architecture<'counting'> = {
  kind: 'counting',
  paramDefs: countingParamDefs,
  forward: countingForward,
  graph: countingGraph,
  patternLayers: (spec) => (spec.self_attn ? [0, 1] : [0]),
  oldLayout: (names) => (names.includes(PRE_19_COUNTING.marker) ? PRE_19_COUNTING.layout : null),
};
