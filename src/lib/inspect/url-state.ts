import { formatHeads, parseHeadList, type HeadRef } from './ablation-set';
import { DURSLEY_PARAGRAPH } from '../../../probes/inputs/dursley';

/**
 * The state that defines an inspect view lives in the URL (DESIGN.md, Front end): a link or a reload shows
 * the same checkpoint, text, selected head and zoom.
 */
export interface InspectState {
  ckpt: string;
  text: string;
  layer: number;
  head: number;
  /** CSS pixels per cell of the large heatmap; 0 = fit the width. */
  zoom: number;
  /** Heads zero-ablated in the loss strip's second run (ablation-set.ts); empty: none. */
  ablate: HeadRef[];
}

/**
 * Seed 002's paragraph: its first sentence repeats at the end, so an induction head has something to find; the
 * inspect and compare views open with it, as the seed drew its attention maps on it.
 */
export const DEFAULT_TEXT = DURSLEY_PARAGRAPH;

/** A non-negative integer parameter, else the fallback. */
export const index = (v: string | null, fallback = 0): number => {
  const n = Number(v);
  return v !== null && v !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
};

export function readState(params: URLSearchParams): InspectState {
  return {
    ckpt: params.get('ckpt') ?? '',
    // An empty text= is kept (the user cleared the box); only a missing one gets the default paragraph.
    text: params.get('text') ?? DEFAULT_TEXT,
    layer: index(params.get('layer')),
    head: index(params.get('head')),
    zoom: Math.min(40, index(params.get('zoom'))),
    ablate: parseHeadList(params.get('ablate')),
  };
}

export function stateUrl(url: URL, s: InspectState): URL {
  const next = new URL(url);
  next.searchParams.set('ckpt', s.ckpt);
  next.searchParams.set('text', s.text);
  next.searchParams.set('layer', String(s.layer));
  next.searchParams.set('head', String(s.head));
  if (s.zoom > 0) next.searchParams.set('zoom', String(s.zoom));
  else next.searchParams.delete('zoom');
  if (s.ablate.length > 0) next.searchParams.set('ablate', formatHeads(s.ablate));
  else next.searchParams.delete('ablate');
  return next;
}
