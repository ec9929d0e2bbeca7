import type { Architecture } from '../architecture';
import { mambaForward, mambaParamDefs } from './model';
import { mambaGraph } from './onnx';

/** Seed 001's Mamba baseline (mamba-minimal): a selective state-space model, no attention layer. */
export const mamba: Architecture<'mamba'> = {
  kind: 'mamba',
  paramDefs: mambaParamDefs,
  forward: mambaForward,
  graph: mambaGraph,
  patternLayers: () => [],
};
