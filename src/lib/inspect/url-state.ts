/**
 * The state that defines an inspect view lives in the URL (DESIGN.md, Front end): a link or a reload shows
 * the same checkpoint, text and selected head.
 */
export interface InspectState {
  ckpt: string;
  text: string;
  layer: number;
  head: number;
}

/** A paragraph whose first sentence repeats at the end, so an induction head has something to find. */
export const DEFAULT_TEXT =
  'The quiet river bends around the old mill. Children skip stones there each summer while their parents ' +
  'talk in the shade, and nobody remembers who built it. The quiet river bends around the old mill.';

const index = (v: string | null): number => {
  const n = Number(v);
  return v !== null && Number.isInteger(n) && n >= 0 ? n : 0;
};

export function readState(params: URLSearchParams): InspectState {
  return {
    ckpt: params.get('ckpt') ?? '',
    // An empty text= is kept (the user cleared the box); only a missing one gets the default paragraph.
    text: params.get('text') ?? DEFAULT_TEXT,
    layer: index(params.get('layer')),
    head: index(params.get('head')),
  };
}

export function stateUrl(url: URL, s: InspectState): URL {
  const next = new URL(url);
  next.searchParams.set('ckpt', s.ckpt);
  next.searchParams.set('text', s.text);
  next.searchParams.set('layer', String(s.layer));
  next.searchParams.set('head', String(s.head));
  return next;
}
