import type { Architecture } from '../architecture';
import { mambaForward, mambaParamDefs } from './model';
import { mambaGraph } from './onnx';

/** Seed 001's Mamba baseline (mamba-minimal): a selective state-space model, no softmax attention. */
export const mamba: Architecture<'mamba'> = {
  kind: 'mamba',
  paramDefs: mambaParamDefs,
  forward: mambaForward,
  graph: mambaGraph,
  // Every block's implicit attention (hidden.ts), averaged over channels: blocks.{l}.attn.hook_pattern.
  patternLayers: (spec) => Array.from({ length: spec.layers }, (_, l) => l),
};
