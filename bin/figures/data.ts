import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { attentionPatterns } from '../../probes/attention';
import { UsageError } from '../../probes/errors';
import { filtersReport, type ConvReport } from '../../probes/filters/conv-report';
import { choosePeriod, headScores, type HeadRow } from '../../probes/heads';
import { repeatedRandomTokens } from '../../probes/inputs/repeat-random';
import { checkVocab } from '../../probes/inputs/tokens';
import type { HistoryPoint } from '../../probes/manifest';
import type { OnnxModel } from '../../probes/onnx/model';
import { headMatrix } from '../../probes/pattern';
import { BYTE_VOCAB, tokenLabel } from '../../probes/text';
import { openProbeSession, type ProbeSession } from '../runtime/probe-session';
import { fieldData } from './field-data';

/**
 * From a checkpoint to figure props: run the probes (no science here, only calls into probes/) and shape
 * their results into what the components in src/lib/figures take. Every figure's caption names the
 * checkpoint, the input and the settings.
 */

export interface Input {
  tokens: number[][];
  /** how the input is described in captions */
  describe: string;
  /** the induction period when the input was built as random blocks repeated twice */
  repeatRandom?: number;
}

/** The default input: a sentence said twice, so induction heads have something to copy. */
export const DEFAULT_TEXT = 'The little model reads the text twice. The little model reads the text twice.';

export function describeText(text: string): string {
  const t = [...text];
  const shown = t.length > 48 ? `${t.slice(0, 45).join('')}…` : text;
  return `input "${shown}" (${new TextEncoder().encode(text).length} tokens)`;
}

export function randomInput(n = 20, batch = 10, seed = 0): Input {
  return {
    tokens: repeatedRandomTokens({ n, batch, vocab: BYTE_VOCAB, seed }),
    describe: `${batch} rows of ${n} random tokens repeated twice (seed ${seed})`,
    repeatRandom: n,
  };
}

export interface Opened {
  path: string;
  session: ProbeSession;
  label: string;
}

export async function openModel(file: string): Promise<Opened> {
  const session = await openProbeSession(file);
  return { path: file, session, label: modelLabel(file, session.model) };
}

export function modelLabel(file: string, model: OnnxModel): string {
  const m = model.manifest;
  const base = path.basename(file);
  return m ? `${base} (${m.arch.kind}, step ${m.step})` : `${base} (foreign ONNX)`;
}

export interface Patterns {
  tokens: number[][];
  /** [layer][head] -> [query][key] of batch row 0 */
  maps: number[][][][];
  heads: HeadRow[];
  periodNote: string[];
}

export async function runPatterns(m: Opened, input: Input): Promise<Patterns> {
  checkVocab(input.tokens, m.session.vocab ?? Number.MAX_SAFE_INTEGER);
  const result = await attentionPatterns(m.session.runner, m.session.taps, input.tokens);
  const maps = Object.values(result.patterns).map((p) => {
    const [, H, T] = p.dims;
    return Array.from({ length: H }, (_, h) => toRows(headMatrix(p, 0, h), T));
  });
  const { period, notes } = choosePeriod(
    input.tokens,
    input.repeatRandom ? { n: input.repeatRandom, source: 'repeat-random', start: 0 } : null,
  );
  const heads = headScores(result.patterns, input.tokens, period);
  return { tokens: input.tokens, maps, heads, periodNote: notes };
}

function toRows(A: ArrayLike<number>, T: number): number[][] {
  return Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => A[i * T + j]));
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

export const labels = (row: readonly number[]) => row.map(tokenLabel);

export interface Meta {
  id: string;
  title: string;
  caption: string;
  width: 'single' | 'double';
}

export function attentionProps(
  m: Opened,
  p: Patterns,
  input: Input,
  layer: number,
  head: number,
  meta: Partial<Meta>,
) {
  return {
    meta: {
      id: meta.id ?? `attention-l${layer}h${head}`,
      title: meta.title ?? `Attention pattern, layer ${layer} head ${head}`,
      caption: `${m.label}; ${input.describe}${input.tokens.length > 1 ? ', row 0 shown' : ''}; layer ${layer}, head ${head}; rows: query, columns: key.`,
      width: meta.width ?? 'single',
    },
    tokens: labels(p.tokens[0]),
    pattern: checkHead(p, layer, head, m.path),
  };
}

export function headsProps(m: Opened, p: Patterns, input: Input, meta: Partial<Meta>) {
  return {
    meta: {
      id: meta.id ?? 'heads',
      title: meta.title ?? 'Attention patterns of every head',
      caption: `${m.label}; ${input.describe}${input.tokens.length > 1 ? ', row 0 shown' : ''}; ${p.maps.length} layer(s) × ${p.maps[0]?.length ?? 0} head(s); weights 0–1.`,
      width: meta.width ?? 'double',
    },
    heads: p.maps.flatMap((hs, layer) => hs.map((pattern, head) => ({ layer, head, pattern }))),
  };
}

export function compareProps(
  a: Opened,
  pa: Patterns,
  b: Opened,
  pb: Patterns,
  input: Input,
  layer: number,
  head: number,
  meta: Partial<Meta>,
) {
  const A = checkHead(pa, layer, head, a.path);
  const B = checkHead(pb, layer, head, b.path);
  const same = A.length === B.length;
  return {
    meta: {
      id: meta.id ?? `compare-l${layer}h${head}`,
      title: meta.title ?? `Two models on the same text, layer ${layer} head ${head}`,
      caption: `left: ${a.label}; right: ${b.label}; ${input.describe}; layer ${layer}, head ${head}${same ? '; difference = left − right' : '; shapes differ, no difference panel'}.`,
      width: meta.width ?? 'double',
    },
    tokens: labels(pa.tokens[0]),
    a: { label: path.basename(a.path), pattern: A },
    b: { label: path.basename(b.path), pattern: B },
  };
}

export function inductionProps(m: Opened, p: Patterns, input: Input, meta: Partial<Meta>) {
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

export function convReport(m: Opened): ConvReport[] {
  return filtersReport(m.session.model, m.session.taps).convs;
}

export function filtersProps(m: Opened, convs: ConvReport[], meta: Partial<Meta>) {
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

export function tapsProps(m: Opened, convs: ConvReport[], meta: Partial<Meta>) {
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

export { fieldData };

export function history(file: string, model: OnnxModel): { points: HistoryPoint[]; source: string } {
  const jsonl = path.join(path.dirname(file), 'metrics.jsonl');
  if (existsSync(jsonl)) {
    const points = readFileSync(jsonl, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as HistoryPoint);
    return { points, source: 'metrics.jsonl' };
  }
  if (model.manifest?.history.length) return { points: model.manifest.history, source: 'manifest history' };
  throw new UsageError(
    `no training history for ${file}: it has no smallscope manifest history and no metrics.jsonl beside it`,
  );
}

export function curvesProps(file: string, model: OnnxModel, label: string, meta: Partial<Meta>) {
  const h = history(file, model);
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
