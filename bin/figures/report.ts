import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../format/errors';
import type { ConvReport } from '../../probes/filters/conv-report';
import type { HeadRow } from '../../probes/heads';
import type { FieldResult } from '../../probes/field/field-probe';
import type { FigureKind } from '../../figures/kinds';
import type { FigureWidth } from '../../figures/style';
import { closeAll, inputFor } from './build';
import {
  attentionProps,
  compareProps,
  convReport,
  curvesProps,
  filtersProps,
  headsProps,
  inductionProps,
  openModel,
  randomInput,
  runPatterns,
  tapsProps,
  type Opened,
} from './data';
import { fieldData, fieldProps } from './field-data';
import { writeAtomic } from './output';
import { renderSvg, svgToPng } from '../../figures/render';

/** `smallscope figures`: the whole set for a checkpoint (or pair), report.md, data.json and CSV tables. */

export interface ReportRequest {
  model: string;
  compare?: string;
  tokens: number[][] | null;
  text?: string;
  /** the model tokenizer's piece of an id, for axis labels (bytes when absent) */
  label?: (id: number) => string;
  width?: FigureWidth;
  out: string;
  /** PNG scale, or null for SVG only */
  png: number | null;
  checkDir: (dir: string, flag?: string) => void;
}

/** At most this many single-head attention figures per model (the head grid shows them all). */
const MAX_HEAD_FIGURES = 12;

type Props = Record<string, unknown> & { meta: Record<string, unknown> };

export async function writeReport(req: ReportRequest): Promise<number> {
  req.checkDir(path.dirname(path.resolve(req.out)));
  mkdirSync(req.out, { recursive: true });
  req.checkDir(req.out);
  const cache = new Map<string, Opened>();
  const figures: { file: string; kind: FigureKind; props: Props }[] = [];
  const notes: string[] = [];
  const md: string[] = [];
  const data: Record<string, unknown> = {};
  let files = 0;
  const put = (name: string, content: string | Uint8Array) => {
    writeAtomic(path.join(req.out, name), content);
    files++;
  };
  try {
    const a = await openModel(req.model);
    cache.set(req.model, a);
    const b = req.compare ? await openModel(req.compare) : null;
    const width = req.width;
    const text = inputFor('attention', {
      kind: 'attention',
      model: req.model,
      tokens: req.tokens,
      text: req.text,
      label: req.label,
    });
    const rand = req.tokens ? text : randomInput();
    const models = b ? [a, b] : [a];
    data.input = { tokens: text.tokens, describe: text.describe };
    data.models = [];
    md.push(`# smallscope report: ${path.basename(req.model)}${b ? ` vs ${path.basename(b.path)}` : ''}`, '');
    md.push(`Input for attention figures: ${text.describe}. Input for head scores: ${rand.describe}.`, '');
    for (const [mi, m] of models.entries()) {
      const tag = models.length > 1 ? `m${mi}-` : '';
      const pt = await runPatterns(m, text);
      const pr = await runPatterns(m, rand);
      figures.push({
        file: `${tag}heads`,
        kind: 'heads',
        props: headsProps(m, pt, text, { width, id: `${tag}heads` }),
      });
      let n = 0;
      for (const [layer, hs] of pt.maps.entries())
        for (const head of hs.keys())
          if (n++ < MAX_HEAD_FIGURES)
            figures.push({
              file: `${tag}attention-l${layer}h${head}`,
              kind: 'attention',
              props: attentionProps(m, pt, text, layer, head, {
                width,
                id: `${tag}attention-l${layer}h${head}`,
              }),
            });
      figures.push({
        file: `${tag}induction`,
        kind: 'induction',
        props: inductionProps(m, pr, rand, { width, id: `${tag}induction` }),
      });
      let convs: ConvReport[] = [];
      try {
        convs = convReport(m);
        figures.push({
          file: `${tag}filters`,
          kind: 'filters',
          props: filtersProps(m, convs, { width, id: `${tag}filters` }),
        });
        figures.push({
          file: `${tag}taps`,
          kind: 'taps',
          props: tapsProps(m, convs, { width, id: `${tag}taps` }),
        });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        notes.push(`${m.label}: no filter figures (${e.message})`);
      }
      let field = null;
      try {
        field = await fieldData(m.session.model, req.tokens);
        figures.push({
          file: `${tag}field`,
          kind: 'field',
          props: fieldProps(m.label, field, { width, id: `${tag}field` }),
        });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        notes.push(`${m.label}: no receptive-field figure (${e.message})`);
      }
      try {
        figures.push({
          file: `${tag}curves`,
          kind: 'curves',
          props: curvesProps(m.path, m.session.model, m.label, { width, id: `${tag}curves` }),
        });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        notes.push(`${m.label}: no training curves (${e.message})`);
      }
      (data.models as unknown[]).push({
        model: m.path,
        label: m.label,
        heads: pr.heads,
        convs: convs.map(({ weight: _w, ...rest }) => rest),
        field: field?.result ?? null,
        field_without_attention: field?.without ?? null,
      });
      put(`${tag}heads.csv`, headsCsv(pr.heads));
      if (convs.length) put(`${tag}taps.csv`, tapsCsv(convs));
      if (field) put(`${tag}field.csv`, fieldCsv(field.result, field.without));
      md.push(`## ${m.label}`, '', `### Head scores`, '', headsMd(pr.heads), '');
      if (convs.length) md.push('### Smeared-key statistics (conv taps)', '', tapsMd(convs), '');
    }
    if (b) {
      const pa = await runPatterns(a, text);
      const pb = await runPatterns(b, text);
      const layers = Math.min(pa.maps.length, pb.maps.length);
      for (let l = 0; l < layers; l++)
        for (let h = 0; h < Math.min(pa.maps[l].length, pb.maps[l].length, 4); h++)
          figures.push({
            file: `compare-l${l}h${h}`,
            kind: 'compare',
            props: compareProps(a, pa, b, pb, text, l, h, { id: `compare-l${l}h${h}` }),
          });
    }
    md.push('## Figures', '');
    for (const f of figures) {
      const svg = await renderSvg(f.kind, f.props);
      put(`${f.file}.svg`, svg);
      if (req.png !== null) put(`${f.file}.png`, await svgToPng(svg, { scale: req.png }));
      md.push(
        `### ${String(f.props.meta.title)}`,
        '',
        `![${f.file}](${f.file}.svg)`,
        '',
        `*${String(f.props.meta.caption)}*`,
        '',
      );
    }
    if (notes.length) md.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
    data.figures = figures.map((f) => ({ file: f.file, kind: f.kind, props: f.props }));
    put('data.json', `${JSON.stringify(data)}\n`);
    put('report.md', md.join('\n'));
  } finally {
    await closeAll(cache);
  }
  return files;
}

const num = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined || !Number.isFinite(x) ? '' : x.toFixed(d);

function headsCsv(rows: HeadRow[]): string {
  const cols = [
    'name',
    'layer',
    'head',
    'induction',
    'induction_arena',
    'prefix_matching',
    'previous_token',
    'duplicate_token',
  ] as const;
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => String(r[c] ?? '')).join(',')).join('\n')}\n`;
}

function headsMd(rows: HeadRow[]): string {
  const lines = [
    '| head | induction | induction (ARENA) | prefix matching | previous token | duplicate token |',
    '|:--|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${num(r.induction)} | ${num(r.induction_arena)} | ${num(r.prefix_matching)} | ${num(r.previous_token)} | ${num(r.duplicate_token)} |`,
    );
  return lines.join('\n');
}

function tapsCsv(convs: ConvReport[]): string {
  const rows = convs.flatMap((c) =>
    c.taps.map((t) =>
      [c.name, t.offset, t.max, t.min, t.q75, t.q90, t.mean, t.std, t.abs_q90, t.energy_share].join(','),
    ),
  );
  return `conv,offset,max,min,q75,q90,mean,std,abs_q90,energy_share\n${rows.join('\n')}\n`;
}

function tapsMd(convs: ConvReport[]): string {
  const lines = [
    '| conv | offset | max | min | q75 | q90 | mean | std | energy share |',
    '|:--|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of convs)
    for (const t of c.taps)
      lines.push(
        `| ${c.name} | ${t.offset} | ${num(t.max)} | ${num(t.min)} | ${num(t.q75)} | ${num(t.q90)} | ${num(t.mean)} | ${num(t.std)} | ${num(t.energy_share, 3)} |`,
      );
  for (const c of convs) {
    const r = c.channel_ratios;
    if (r)
      lines.push(
        '',
        `${c.name}: prev/cur ratio per output channel: median ${num(r.median)}, q10 ${num(r.q10)}, q90 ${num(r.q90)}, fraction > 1 ${num(r.frac_above_1, 3)}.`,
      );
    for (const h of c.attention)
      lines.push(
        '',
        `${c.name} → ${h.pattern} head ${h.head}: key-space previous-token share ${num(h.key_prev_share)}, smear cos ${num(h.smear.cos)}.`,
      );
  }
  return lines.join('\n');
}

/** offset, gradient (and the gradient with attention taken out, for a model with attention) per position. */
function fieldCsv(r: FieldResult, without: FieldResult | null): string {
  const head = without ? 'offset,gradient,gradient_without_attention' : 'offset,gradient';
  const rows = r.gradient.map((g, s) => `${s - r.position},${g}${without ? `,${without.gradient[s]}` : ''}`);
  return `${head}\n${rows.join('\n')}\n`;
}
