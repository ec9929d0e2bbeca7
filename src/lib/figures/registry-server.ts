import type { Component } from 'svelte';
import AttentionFigure from './AttentionFigure.figure-server.js';
import ComparePair from './ComparePair.figure-server.js';
import FieldProfile from './FieldProfile.figure-server.js';
import FilterMaps from './FilterMaps.figure-server.js';
import HeadGrid from './HeadGrid.figure-server.js';
import InductionBars from './InductionBars.figure-server.js';
import TapHistograms from './TapHistograms.figure-server.js';
import TrainingCurves from './TrainingCurves.figure-server.js';
import type { FigureKind } from './kinds';

/**
 * The figure components compiled for the server, for the page's downloads (the figure-server plugin in
 * vite.config.ts builds `X.figure-server.js` from `X.svelte`): render() of these in the browser gives the
 * same SVG string as the command line's render() in Node. The same table as registry.ts.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const SERVER_FIGURES: Record<FigureKind, Component<any>> = {
  attention: AttentionFigure,
  heads: HeadGrid,
  compare: ComparePair,
  induction: InductionBars,
  filters: FilterMaps,
  taps: TapHistograms,
  field: FieldProfile,
  curves: TrainingCurves,
};
