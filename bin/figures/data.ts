import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { attentionPatterns } from '../../probes/attention';
import { UsageError } from '../../format/errors';
import { filtersReport, type ConvReport } from '../../probes/filters/conv-report';
import { checkVocab } from '../../probes/inputs/tokens';
import type { HistoryPoint } from '../../format/manifest';
import type { OnnxModel } from '../../format/onnx/model';
import {
  curvesProps as curvesFromHistory,
  modelLabel as labelOf,
  patternsOf,
  type Input,
  type Meta,
  type Patterns,
  type Source,
} from '../../figures/props';
import { openProbeSession, type ProbeSession } from '../model/probe-session';
import { fieldData } from './field-data';

/**
 * From a checkpoint file to figure props on the command line: open it with onnxruntime-node and run the
 * probes (no science here, only calls into probes/). The props themselves and their captions come from
 * figures/props.ts, the module the app's download buttons call with the same probe results.
 */

export {
  DEFAULT_TEXT,
  attentionProps,
  checkHead,
  compareProps,
  describeText,
  filtersProps,
  headsProps,
  inductionProps,
  labels,
  randomInput,
  tapsProps,
  type Input,
  type Meta,
  type Patterns,
} from '../../figures/props';

export interface Opened extends Source {
  path: string;
  session: ProbeSession;
}

export async function openModel(file: string): Promise<Opened> {
  const session = await openProbeSession(file);
  return { path: file, name: path.basename(file), session, label: modelLabel(file, session.model) };
}

export function modelLabel(file: string, model: OnnxModel): string {
  return labelOf(path.basename(file), model.manifest);
}

export async function runPatterns(m: Opened, input: Input): Promise<Patterns> {
  checkVocab(input.tokens, m.session.vocab ?? Number.MAX_SAFE_INTEGER);
  const result = await attentionPatterns(m.session.runner, m.session.taps, input.tokens);
  return patternsOf(result.patterns, input.tokens, input.repeatRandom);
}

export function convReport(m: Opened): ConvReport[] {
  return filtersReport(m.session.model, m.session.taps).convs;
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
  return curvesFromHistory(label, history(file, model), meta);
}
