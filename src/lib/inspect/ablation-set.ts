/** The set of zero-ablated heads the inspect page runs with, as the URL holds it: `ablate=0.1,1.3` (layer.head). */

export interface HeadRef {
  layer: number;
  head: number;
}

/** The ablated heads as the URL holds them: `0.1,1.3` (layer.head), sorted, no repeats. */
export function formatHeads(heads: readonly HeadRef[]): string {
  return sortHeads(heads)
    .map((h) => `${h.layer}.${h.head}`)
    .join(',');
}

/** Parse the URL's `ablate`; anything malformed is dropped (a URL typed by hand must not break the page). */
export function parseHeadList(spec: string | null): HeadRef[] {
  if (!spec) return [];
  const heads = spec.split(',').flatMap((part) => {
    const m = /^\s*(\d+)\.(\d+)\s*$/.exec(part);
    return m ? [{ layer: Number(m[1]), head: Number(m[2]) }] : [];
  });
  return sortHeads(heads);
}

/** Add the head if absent, remove it if present. */
export function toggleHead(heads: readonly HeadRef[], h: HeadRef): HeadRef[] {
  const has = heads.some((x) => x.layer === h.layer && x.head === h.head);
  return has
    ? heads.filter((x) => x.layer !== h.layer || x.head !== h.head)
    : sortHeads([...heads, { layer: h.layer, head: h.head }]);
}

function sortHeads(heads: readonly HeadRef[]): HeadRef[] {
  const seen = new Set<string>();
  return [...heads]
    .sort((a, b) => a.layer - b.layer || a.head - b.head)
    .filter((h) => {
      const k = `${h.layer}.${h.head}`;
      return seen.has(k) ? false : (seen.add(k), true);
    });
}
