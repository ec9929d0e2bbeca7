import type { Architecture } from '../architecture';
import { countingForward, countingParamDefs } from './model';
import { countingGraph } from './onnx';

/** Seed 004: output queries attending to the input (cross attention), then to each other (self_attn). */
export const counting: Architecture<'counting'> = {
  kind: 'counting',
  paramDefs: countingParamDefs,
  forward: countingForward,
  graph: countingGraph,
  patternLayers: (spec) => (spec.self_attn ? [0, 1] : [0]),
};
