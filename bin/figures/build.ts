import { UsageError } from '../../format/errors';
import { FIGURE_KINDS, type FigureKind } from '../../figures/kinds';
import type { FigureWidth } from '../../figures/style';
import {
  DEFAULT_TEXT,
  attentionProps,
  compareProps,
  convReport,
  curvesProps,
  describeText,
  headsProps,
  inductionProps,
  modelLabel,
  openModel,
  randomInput,
  runPatterns,
  filtersProps,
  tapsProps,
  type Input,
  type Opened,
} from './data';
import { fieldInput } from '../../figures/props';
import { decodeModel } from '../../format/onnx/model';
import { readModelFile } from '../model/files';
import { fieldData, fieldProps } from './field-data';
import { ablationFigure, patchingFigure } from './causal-data';

/** One figure's props from a model file and the CLI's settings (shared by `figure`, `figures`, tests, bench). */

export interface FigureRequest {
  kind: string;
  model: string;
  compare?: string;
  /** the input as given (--text / --tokens-file), or null for the kind's default */
  tokens: number[][] | null;
  text?: string;
  /** the model tokenizer's piece of an id, for axis labels (bytes when absent) */
  label?: (id: number) => string;
  layer?: number;
  head?: number;
  /** the output position of the field figure (default: the probe's, the last position) */
  position?: number;
  width?: FigureWidth;
  /** The corrupted input of the patching figure (default: the clean one with its last token changed). */
  corrupt?: number[][] | null;
  corruptText?: string;
}

export function checkKind(kind: string): FigureKind {
  if (!(FIGURE_KINDS as readonly string[]).includes(kind))
    throw new UsageError(`unknown figure kind '${kind}': choose one of ${FIGURE_KINDS.join(', ')}`);
  return kind as FigureKind;
}

export function inputFor(kind: FigureKind, req: FigureRequest): Input {
  if (req.tokens) {
    const describe =
      req.text !== undefined
        ? describeText(req.text, req.tokens[0].length)
        : `${req.tokens.length} row(s) of ${req.tokens[0].length} tokens from the tokens file`;
    return { tokens: req.tokens, describe, label: req.label };
  }
  if (kind === 'induction') return randomInput();
  return {
    tokens: [Array.from(new TextEncoder().encode(DEFAULT_TEXT))],
    describe: describeText(DEFAULT_TEXT),
  };
}

/** Open (or reuse) models and compute the props of one figure. */
export async function figureProps(
  kind: FigureKind,
  req: FigureRequest,
  cache: Map<string, Opened> = new Map(),
): Promise<Record<string, unknown> & { meta: Record<string, unknown> }> {
  if (kind === 'compare' && !req.compare)
    throw new UsageError('figure compare needs a second model: give --compare OTHER.onnx');
  const open = async (p: string) => {
    let m = cache.get(p);
    if (!m) {
      m = await openModel(p);
      cache.set(p, m);
    }
    return m;
  };
  const meta = { width: req.width };
  if (kind === 'curves') {
    // Training curves read the run's history, not the graph: a model without attention (a conv stack) has them.
    const model = decodeModel(readModelFile(req.model));
    return curvesProps(req.model, model, modelLabel(req.model, model), meta);
  }
  const m = await open(req.model);
  const layer = req.layer ?? 0;
  const head = req.head ?? 0;
  const input = inputFor(kind, req);
  switch (kind) {
    case 'attention':
      return attentionProps(m, await runPatterns(m, input), input, layer, head, meta);
    case 'heads':
      return headsProps(m, await runPatterns(m, input), input, meta);
    case 'compare': {
      const b = await open(req.compare!);
      return compareProps(
        m,
        await runPatterns(m, input),
        b,
        await runPatterns(b, input),
        input,
        layer,
        head,
        meta,
      );
    }
    case 'induction':
      return inductionProps(m, await runPatterns(m, input), input, meta);
    case 'filters':
      return filtersProps(m, convReport(m), meta);
    case 'taps':
      return tapsProps(m, convReport(m), meta);
    case 'field': {
      const f = await fieldData(m.session.model, req.tokens, req.position);
      return fieldProps(
        m.label,
        { result: f.result, describe: fieldInput(req.text, f.describe), without: f.without },
        meta,
      );
    }
    case 'ablation':
      return ablationFigure(m, input, meta);
    case 'patching':
      return patchingFigure(m, input, req.corrupt ?? null, req.corruptText, meta);
  }
}

export async function closeAll(cache: Map<string, Opened>): Promise<void> {
  for (const m of cache.values()) await m.session.runner.dispose?.();
  cache.clear();
}
