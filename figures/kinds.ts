/** Figure kinds, in the order `smallscope figure` lists them (kept apart from the components: no .svelte here). */
export const FIGURE_KINDS = [
  'attention',
  'heads',
  'compare',
  'induction',
  'filters',
  'taps',
  'field',
  'curves',
  'ablation',
  'patching',
] as const;
export type FigureKind = (typeof FIGURE_KINDS)[number];
