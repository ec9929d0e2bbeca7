import type { Architecture } from '../architecture';
import { convStackForward, convStackParamDefs } from './model';
import { convStackGraph } from './onnx';

/** Seeds 000 / 001: dilated 'same' convs, attention after the layers `attn` names. */
export const convStack: Architecture<'conv-stack'> = {
  kind: 'conv-stack',
  paramDefs: convStackParamDefs,
  forward: convStackForward,
  graph: convStackGraph,
  patternLayers: (spec) => spec.attn.flatMap((a, l) => (a === 0 ? [] : [l])),
};
