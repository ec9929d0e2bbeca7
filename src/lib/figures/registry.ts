import type { Component } from 'svelte';
import AttentionFigure from './AttentionFigure.svelte';
import ComparePair from './ComparePair.svelte';
import FieldProfile from './FieldProfile.svelte';
import FilterMaps from './FilterMaps.svelte';
import HeadGrid from './HeadGrid.svelte';
import InductionBars from './InductionBars.svelte';
import TapHistograms from './TapHistograms.svelte';
import TrainingCurves from './TrainingCurves.svelte';

import type { FigureKind } from './kinds';

export { FIGURE_KINDS, type FigureKind } from './kinds';

/** The component that draws each figure kind. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const FIGURES: Record<FigureKind, Component<any>> = {
  attention: AttentionFigure,
  heads: HeadGrid,
  compare: ComparePair,
  induction: InductionBars,
  filters: FilterMaps,
  taps: TapHistograms,
  field: FieldProfile,
  curves: TrainingCurves,
};
