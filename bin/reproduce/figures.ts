import path from 'node:path';
import { runsCurvesProps } from '../../figures/props';
import { renderSvg } from '../../figures/render';
import type { FigureKind } from '../../figures/kinds';
import type { FigureSpec } from '../../reproduce/plan';
import type { SweepRun } from '../../training/sweep/grid';
import {
  attentionProps,
  convReport,
  filtersProps,
  headsProps,
  inductionProps,
  runPatterns,
  tapsProps,
} from '../figures/data';
import { fieldData, fieldProps } from '../figures/field-data';
import { writeAtomic } from '../figures/output';
import { figureInput, lettersInput } from './inputs';
import { history } from './measure';
import type { RoleModels } from './models';

/**
 * A plan's figures, drawn by the `figure` command's code (bin/figures, figures/props, the Svelte components) into
 * OUT/figures/NAME.svg. Returns each file with its title and caption for REPORT.md.
 */

export interface Drawn {
  file: string;
  title: string;
  caption: string;
}

const METRICS = {
  val_loss: {
    key: 'val_loss',
    label: 'validation loss',
    unit: "the run's loss (cross-entropy in nats, MSE for shapes)",
  },
  mask_error: {
    key: 'mask_error',
    label: 'validation mask error',
    unit: 'fraction of answer characters (output steps) wrong',
  },
  sample_error: {
    key: 'sample_error',
    label: 'validation sample error',
    unit: 'fraction of answers with any character wrong',
  },
} as const;

export interface FigureContext {
  out: string;
  runsDir: string;
  runs: SweepRun[];
  models: RoleModels;
}

async function propsOf(
  spec: FigureSpec,
  ctx: FigureContext,
): Promise<{ kind: FigureKind; props: { meta: Record<string, unknown> } & Record<string, unknown> }> {
  const meta = { id: spec.file };
  if (spec.kind === 'curves') {
    // The roles this scale runs, by their labels; none listed: every run of the grid, by folder name.
    const keys = spec.roles.filter((k) => ctx.models.roles.has(k));
    const series = keys.length
      ? keys.map((k) => ({
          name: ctx.models.roles.get(k)!.role.label,
          dir: ctx.models.roles.get(k)!.run.name,
        }))
      : ctx.runs.map((r) => ({ name: r.name, dir: r.name }));
    const runs = series.map((s) => ({
      name: s.name,
      source: 'metrics.jsonl',
      points: history(path.join(ctx.runsDir, s.dir)),
    }));
    return {
      kind: 'curves',
      props: runsCurvesProps(runs, METRICS[spec.metric], { ...meta, width: 'double' }),
    };
  }
  const key = spec.role;
  const task = ctx.models.file(key).manifest?.task;
  switch (spec.kind) {
    case 'attention': {
      const m = await ctx.models.session(key);
      const input = figureInput(spec.input, task, m.session.tokenizer);
      return {
        kind: 'attention',
        props: attentionProps(m, await runPatterns(m, input), input, spec.layer ?? 0, 0, meta),
      };
    }
    case 'heads': {
      const m = await ctx.models.session(key);
      const input = figureInput(spec.input, task, m.session.tokenizer);
      return { kind: 'heads', props: headsProps(m, await runPatterns(m, input), input, meta) };
    }
    case 'field': {
      const input = figureInput(spec.input, task);
      // The last position: for the masked tasks the answer's last character, which must see the whole area.
      const f = await fieldData(ctx.models.file(key), input.tokens, input.tokens[0].length - 1);
      return {
        kind: 'field',
        props: fieldProps(ctx.models.label(key), { ...f, describe: input.describe }, meta),
      };
    }
    case 'induction': {
      const m = await ctx.models.session(key);
      const input = lettersInput();
      return { kind: 'induction', props: inductionProps(m, await runPatterns(m, input), input, meta) };
    }
    case 'filters': {
      const m = await ctx.models.session(key);
      return { kind: 'filters', props: filtersProps(m, convReport(m), meta) };
    }
    case 'taps': {
      const m = await ctx.models.session(key);
      return { kind: 'taps', props: tapsProps(m, convReport(m), meta) };
    }
  }
}

export async function drawFigures(specs: FigureSpec[], ctx: FigureContext): Promise<Drawn[]> {
  const drawn: Drawn[] = [];
  for (const spec of specs) {
    const { kind, props } = await propsOf(spec, ctx);
    // Two models' figures of one kind would share a title: name the run in it.
    if ('role' in spec)
      props.meta.title = `${ctx.models.roles.get(spec.role)!.role.label}: ${String(props.meta.title)}`;
    const file = `figures/${spec.file}.svg`;
    writeAtomic(path.join(ctx.out, file), await renderSvg(kind, props));
    drawn.push({ file, title: String(props.meta.title), caption: String(props.meta.caption) });
  }
  return drawn;
}
