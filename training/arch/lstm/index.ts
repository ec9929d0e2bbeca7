import type { Architecture } from '../architecture';
import { lstmForward, lstmParamDefs } from './model';
import { lstmGraph } from './onnx';

/** Seed 001's LSTM baseline: no attention. */
export const lstm: Architecture<'lstm'> = {
  kind: 'lstm',
  paramDefs: lstmParamDefs,
  forward: lstmForward,
  graph: lstmGraph,
  patternLayers: () => [],
};
