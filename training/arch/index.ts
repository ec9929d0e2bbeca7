import type { ArchKind, ArchSpec } from '../../format/manifest';
import type { Architecture } from './architecture';
import { convStack } from './conv-stack';
import { counting } from './counting';
import { lstm } from './lstm';
import { mamba } from './mamba';
import { shapesConv } from './shapes-conv';
import { attnAttn, convAttn } from './transformer';

export type { Architecture, ModelOutput } from './architecture';

/** Every kind of model training/ builds, one folder each (training/arch/KIND). */
const ARCHITECTURES: { [K in ArchKind]: Architecture<K> } = {
  'conv-attn': convAttn,
  'attn-attn': attnAttn,
  'conv-stack': convStack,
  lstm,
  mamba,
  'shapes-conv': shapesConv,
  counting,
};

/**
 * The architecture of `spec`. Typed for any spec: each entry takes its own kind's spec, and the one chosen is
 * the one whose kind `spec` has.
 */
export function architecture(spec: ArchSpec): Architecture<ArchKind> {
  return ARCHITECTURES[spec.kind] as unknown as Architecture<ArchKind>;
}
