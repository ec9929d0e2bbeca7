import type { Component } from 'svelte';
import AttentionFigure from './components/AttentionFigure.figure-server.js';
import ComparePair from './components/ComparePair.figure-server.js';
import FieldProfile from './components/FieldProfile.figure-server.js';
import FilterMaps from './components/FilterMaps.figure-server.js';
import HeadEffects from './components/HeadEffects.figure-server.js';
import HeadGrid from './components/HeadGrid.figure-server.js';
import InductionBars from './components/InductionBars.figure-server.js';
import TapHistograms from './components/TapHistograms.figure-server.js';
import TrainingCurves from './components/TrainingCurves.figure-server.js';
import type { FigureKind } from './kinds';

/**
 * The one table of figure kinds and the components that draw them, compiled for the server
 * (`X.figure-server.js`, made from `X.svelte` by figures/compile/server-component.js: the Vite plugin in the
 * page, Node hooks on the command line). render() of these gives the same SVG string in both.
 */
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
  ablation: HeadEffects,
  patching: HeadEffects,
};
