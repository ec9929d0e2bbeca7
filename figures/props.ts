import { UsageError } from '../format/errors';
import type { FieldResult } from '../probes/field/field-probe';
import type { ConvReport } from '../probes/filters/conv-report';
import { choosePeriod, headScores, type HeadRow } from '../probes/heads';
import { repeatedRandomTokens } from '../probes/inputs/repeat-random';
import type { HistoryPoint, Manifest } from '../format/manifest';
import { headMatrix } from '../probes/pattern';
import type { Tensor } from '../probes/tensor';
import { BYTE_VOCAB, tokenLabel } from '../format/text';
import type { FigureWidth } from './style';
import { patternAxes } from './pattern-axes';

/**
 * Figure props from probe results: the one place that shapes what the probes return into what the components
 * in this folder take, and writes every caption (checkpoint, input, settings). The command line
 * (bin/figures/build.ts, after running the probes with onnxruntime-node) and the app's download buttons (after
 * running them with onnxruntime-web) both call these functions, so the same checkpoint name, input and
 * settings give the same props and the same caption. Plain TypeScript: no node: imports, no runtime, no DOM.
 */

export interface Input {
  tokens: number[][];
  /** how the input is described in captions */
  describe: string;
  /** the induction period when the input was built as random blocks repeated twice */
  repeatRandom?: number;
  /** how a token id is shown on axes: the model tokenizer's piece (format/tokenizer); bytes when absent */
  label?: (id: number) => string;
}

/** A checkpoint as captions name it. */
export interface Source {
  /** file name (no folder): the side labels of the compare figure */
  name: string;
  /** `name (arch, step N)`, see modelLabel */
  label: string;
  /** how errors name it (the path given on the command line); `name` when absent */
  path?: string;
}

/** The default input: a sentence said twice, so induction heads have something to copy. */
export const DEFAULT_TEXT = 'The little model reads the text twice. The little model reads the text twice.';

/** `count`: the tokens the model's tokenizer made of the text (default: one per UTF-8 byte). */
export function describeText(text: string, count = new TextEncoder().encode(text).length): string {
  const t = [...text];
  const shown = t.length > 48 ? `${t.slice(0, 45).join('')}…` : text;
  return `input "${shown}" (${count} tokens)`;
}

/** One row of byte tokens typed as text. */
export function textInput(text: string): Input {
  return { tokens: [Array.from(new TextEncoder().encode(text))], describe: describeText(text) };
}

export function randomInput(n = 20, batch = 10, seed = 0): Input {
  return {
    tokens: repeatedRandomTokens({ n, batch, vocab: BYTE_VOCAB, seed }),
    describe: `${batch} rows of ${n} random tokens repeated twice (seed ${seed})`,
    repeatRandom: n,
  };
}

/** The file name of a path or URL name, without its folder. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** How captions name a checkpoint: its file name with the architecture and step from its manifest. */
export function modelLabel(file: string, manifest: Manifest | null | undefined): string {
  const base = baseName(file);
  return manifest ? `${base} (${manifest.arch.kind}, step ${manifest.step})` : `${base} (foreign ONNX)`;
}

export function sourceOf(file: string, manifest: Manifest | null | undefined): Source {
  return { name: baseName(file), label: modelLabel(file, manifest), path: file };
}

export interface Patterns {
  tokens: number[][];
  /** [layer][head] -> [query][key] of batch row 0 */
  maps: number[][][][];
  heads: HeadRow[];
  periodNote: string[];
}

/**
 * The probes' attention patterns ([batch, head, query, key] by hook name, from attentionPatterns) as the
 * figures read them: batch row 0 per layer and head, and the head scores with the period choosePeriod finds.
 */
export function patternsOf(
  patterns: Record<string, Tensor>,
  tokens: number[][],
  repeatRandom?: number,
): Patterns {
  const maps = Object.values(patterns).map((p) => {
    // [batch, head, query, key]: query = output step for cross attention, so not always as many as keys
    const [, H, Q, K = Q] = p.dims;
    return Array.from({ length: H }, (_, h) => toRows(headMatrix(p, 0, h), Q, K));
  });
  const { period, notes } = choosePeriod(
    tokens,
    repeatRandom ? { n: repeatRandom, source: 'repeat-random', start: 0 } : null,
  );
  const heads = headScores(patterns, tokens, period);
  return { tokens, maps, heads, periodNote: notes };
}

function toRows(A: ArrayLike<number>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => A[i * cols + j]));
}

export function checkHead(p: Patterns, layer: number, head: number, what: string): number[][] {
  if (layer >= p.maps.length)
    throw new UsageError(
      `--layer ${layer} does not exist in ${what}: it has ${p.maps.length} attention layer(s) (0..${p.maps.length - 1})`,
    );
  const H = p.maps[layer].length;
  if (head >= H)
    throw new UsageError(
      `--head ${head} does not exist in ${what} layer ${layer}: it has ${H} head(s) (0..${H - 1})`,
    );
  return p.maps[layer][head];
}

export const labels = (row: readonly number[], label: (id: number) => string = tokenLabel) =>
  row.map((id) => label(id));

export interface Meta {
  id: string;
  title: string;
  caption: string;
  width: FigureWidth;
}

/** What every figure's props hold: its meta, and the component's own props. */
export type FigureProps = Record<string, unknown> & { meta: Meta };

const shownRow = (input: Input) => (input.tokens.length > 1 ? ', row 0 shown' : '');

export function attentionProps(
  m: Source,
  p: Patterns,
  input: Input,
  layer: number,
  head: number,
  meta: Partial<Meta>,
) {
  const pattern = checkHead(p, layer, head, m.path ?? m.name);
  const tokens = labels(p.tokens[0], input.label);
  const axes = patternAxes(pattern, tokens);
  return {
    meta: {
      id: meta.id ?? `attention-l${layer}h${head}`,
      title: meta.title ?? `Attention pattern, layer ${layer} head ${head}`,
      caption: `${m.label}; ${input.describe}${shownRow(input)}; layer ${layer}, head ${head}; rows: ${axes.rowAxis}, columns: ${axes.colAxis}.`,
      width: meta.width ?? 'single',
    },
    tokens,
    pattern,
  };
}

export function headsProps(m: Source, p: Patterns, input: Input, meta: Partial<Meta>) {
  return {
    meta: {
      id: meta.id ?? 'heads',
      title: meta.title ?? 'Attention patterns of every head',
      caption: `${m.label}; ${input.describe}${shownRow(input)}; ${p.maps.length} layer(s) × ${p.maps[0]?.length ?? 0} head(s); weights 0–1.`,
      width: meta.width ?? 'double',
    },
    heads: p.maps.flatMap((hs, layer) => hs.map((pattern, head) => ({ layer, head, pattern }))),
  };
}

export function compareProps(
  a: Source,
  pa: Patterns,
  b: Source,
  pb: Patterns,
  input: Input,
  layer: number,
  head: number,
  meta: Partial<Meta>,
) {
  const A = checkHead(pa, layer, head, a.path ?? a.name);
  const B = checkHead(pb, layer, head, b.path ?? b.name);
  const same = A.length === B.length;
  return {
    meta: {
      id: meta.id ?? `compare-l${layer}h${head}`,
      title: meta.title ?? `Two models on the same text, layer ${layer} head ${head}`,
      caption: `left: ${a.label}; right: ${b.label}; ${input.describe}; layer ${layer}, head ${head}${same ? '; difference = left − right' : '; shapes differ, no difference panel'}.`,
      width: meta.width ?? 'double',
    },
    tokens: labels(pa.tokens[0], input.label),
    a: { label: a.name, pattern: A },
    b: { label: b.name, pattern: B },
  };
}

export function inductionProps(m: Source, p: Patterns, input: Input, meta: Partial<Meta>) {
  const notes = p.periodNote.length ? ` ${p.periodNote.join('; ')}.` : '';
  return {
    meta: {
      id: meta.id ?? 'induction',
      title: meta.title ?? 'Induction and previous-token scores per head',
      caption: `${m.label}; ${input.describe}; induction = mean A[i, i−n+1] over the repeat, previous token = mean A[i, i−1], averaged over ${input.tokens.length} row(s).${notes}`,
      width: meta.width ?? 'single',
    },
    heads: p.heads.map((h) => ({ name: h.name, induction: h.induction, previous_token: h.previous_token })),
  };
}

export function filtersProps(m: Source, convs: ConvReport[], meta: Partial<Meta>) {
  return {
    meta: {
      id: meta.id ?? 'filters',
      title: meta.title ?? 'Convolution filters per tap',
      caption: `${m.label}; ${convs.map((c) => `${c.name}: [${c.weight_dims.join('×')}], kernel ${c.kernel}, dilation ${c.dilation}${c.causal ? ', causal' : ''}`).join('; ')}; graph (effective) weights; colour symmetric about 0 per conv.`,
      width: meta.width ?? 'double',
    },
    convs: convs.map((c) => ({ name: c.name, offsets: c.offsets, weight: c.weight })),
  };
}

export function tapsProps(m: Source, convs: ConvReport[], meta: Partial<Meta>) {
  return {
    meta: {
      id: meta.id ?? 'taps',
      title: meta.title ?? 'Weight distribution per conv tap',
      caption: `${m.label}; ${convs.map((c) => c.name).join(', ')}; histograms of the graph (effective) weights W[:, :, tap], 30 bins; dashed line at 0.`,
      width: meta.width ?? 'double',
    },
    convs: convs.map((c) => ({
      name: c.name,
      taps: c.offsets.map((offset, t) => {
        const s = c.taps[t];
        return {
          offset,
          values: c.weight.flatMap((o) => o.map((i) => i[t])),
          note: s.max === 0 && s.min === 0 ? 'all zero' : `q90 ${s.q90.toPrecision(2)}`,
        };
      }),
    })),
  };
}

/** How the field figure's caption names its input: the text typed (or given with --text), else `fallback`. */
export function fieldInput(text: string | undefined, fallback: string): string {
  return text !== undefined ? describeText(text) : fallback;
}

/**
 * The field figure: the profile of the model as it is and, for a model with attention, of the same position
 * with attention taken out (probes/field/without-attention.ts: the conv path alone), overlaid.
 */
export function fieldProps(
  label: string,
  f: { result: FieldResult; describe: string; without?: FieldResult | null },
  meta: Partial<Meta>,
) {
  const r = f.result;
  const th = r.theoretical;
  const w = f.without ?? null;
  const erfText = (x: FieldResult) => `R50 ${x.erf.r50 ?? '–'}, R90 ${x.erf.r90 ?? '–'}`;
  const withoutText = w
    ? ` Without attention (patterns replaced by the identity): support ${w.theoretical.back}..${w.theoretical.forward} (radius ${w.theoretical.radius}); ERF ${erfText(w)}.`
    : '';
  const profile = (x: FieldResult) => ({
    gradient: x.gradient,
    theoretical: {
      support: x.theoretical.support,
      back: x.theoretical.back,
      forward: x.theoretical.forward,
      radius: x.theoretical.radius,
      sparse: x.theoretical.sparse,
    },
    erf: { r50: x.erf.r50, r90: x.erf.r90 },
    oneSided: x.one_sided,
  });
  return {
    meta: {
      id: meta.id ?? 'field',
      title: meta.title ?? `Receptive field of position ${r.position}`,
      caption: `${label}; ${f.describe}; y = ${r.objective} of '${r.output}' at t = ${r.position}, |∂y/∂e_s| by central differences (eps ${r.eps}); theoretical conv support ${th.back}..${th.forward} (radius ${th.radius}); ERF ${erfText(r)}.${withoutText}`,
      width: meta.width ?? 'single',
    },
    position: r.position,
    ...profile(r),
    without: w ? profile(w) : null,
  };
}

/** Training and validation loss of one checkpoint's history (metrics.jsonl or the manifest). */
export function curvesProps(
  label: string,
  h: { points: HistoryPoint[]; source: string },
  meta: Partial<Meta>,
) {
  const series = (['loss', 'val_loss'] as const)
    .map((k) => ({
      label: k === 'loss' ? 'training loss' : 'validation loss',
      points: h.points.filter((p) => typeof p[k] === 'number').map((p) => ({ x: p.step, y: p[k] as number })),
    }))
    .filter((s) => s.points.length > 0);
  return {
    meta: {
      id: meta.id ?? 'curves',
      title: meta.title ?? 'Training curves',
      caption: `${label}; from ${h.source}, ${h.points.length} points; cross-entropy in nats per byte.`,
      width: meta.width ?? 'single',
    },
    series,
    yLabel: 'loss',
  };
}

/** One metric of several runs overlaid (the runs view's chart): one series per run, in the order given. */
export function runsCurvesProps<K extends string>(
  runs: { name: string; source: string; points: ({ step: number } & Partial<Record<K, number>>)[] }[],
  metric: { key: K; label: string; unit: string },
  meta: Partial<Meta>,
) {
  const series = runs
    .map((run) => ({
      label: run.name,
      points: run.points.flatMap((p) =>
        typeof p[metric.key] === 'number' ? [{ x: p.step, y: p[metric.key] as number }] : [],
      ),
    }))
    .filter((s) => s.points.length > 0);
  const names = runs.map((r) => `${r.name} (${r.source}, ${r.points.length} points)`).join('; ');
  return {
    meta: {
      id: meta.id ?? `runs-${metric.key}`,
      title: meta.title ?? `Training runs: ${metric.label}`,
      caption: `${runs.length} run(s): ${names}; ${metric.label} against the training step, ${metric.unit}.`,
      width: meta.width ?? 'single',
    },
    series,
    yLabel: metric.label,
  };
}
