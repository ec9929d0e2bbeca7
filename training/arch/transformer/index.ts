import type { Architecture } from '../architecture';
import { attnAttnForward } from './attn-attn';
import { convAttnForward } from './conv-attn';
import { transformerGraph } from './onnx';
import { transformerParamDefs } from './params';

/** Seed 002, model A: embedding -> causal conv -> attention -> head. */
export const convAttn: Architecture<'conv-attn'> = {
  kind: 'conv-attn',
  paramDefs: transformerParamDefs,
  forward: convAttnForward,
  graph: transformerGraph,
  patternLayers: () => [0],
};

/** Seed 002, model B: embedding -> attention -> attention -> head. */
export const attnAttn: Architecture<'attn-attn'> = {
  kind: 'attn-attn',
  paramDefs: transformerParamDefs,
  forward: attnAttnForward,
  graph: transformerGraph,
  patternLayers: () => [0, 1],
};
