import { DEFAULT_TEXT, index } from '../inspect/url-state';

/** The compare view's state, all in the URL: `/compare?a=...&b=...&text=...&layer=..&head=..`. */
export interface CompareState {
  a: string;
  b: string;
  text: string;
  layer: number;
  head: number;
}

/** The demo pair the view opens with: the conv + attention model against the two-attention model. */
export const DEMO_PAIR = ['conv-attn.onnx', 'attn-attn.onnx'] as const;

/** Default checkpoints: the demo pair when served, else the first two (or the only one, twice). */
export function defaultPair(names: string[]): [string, string] {
  if (DEMO_PAIR.every((n) => names.includes(n))) return [...DEMO_PAIR];
  return [names[0] ?? '', names[1] ?? names[0] ?? ''];
}

export function readCompare(params: URLSearchParams, names: string[]): CompareState {
  const [a, b] = defaultPair(names);
  return {
    a: params.get('a') || a,
    b: params.get('b') || b,
    text: params.get('text') ?? DEFAULT_TEXT,
    layer: index(params.get('layer')),
    head: index(params.get('head')),
  };
}

export function compareUrl(url: URL, s: CompareState): URL {
  const next = new URL(url);
  for (const [k, v] of Object.entries(s)) next.searchParams.set(k, String(v));
  return next;
}
