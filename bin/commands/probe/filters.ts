import { findAttention, type AttentionTap } from '../../../probes/attention';
import { filtersReport, type ConvReport } from '../../../probes/filters/conv-report';
import type { Command } from '../../cli';
import { openModelFile } from '../../model/files';

/** `smallscope probe filters`: smeared-key statistics S0-S7 of every 1-D conv (weights only, no run). */
export function registerFilters(probe: Command): void {
  probe
    .command('filters')
    .description(
      'conv filters: causality, per-tap stats, prev/cur ratios, key-space prev share, smear, prefix-matching QK',
    )
    .argument('<model>', 'ONNX model file')
    .option('--json', 'print one JSON document: {"convs": [{"name", "taps", ...}]}')
    .action((path: string, opts: { json?: boolean }) => {
      const model = openModelFile(path);
      let taps: AttentionTap[] = [];
      try {
        taps = findAttention(model).taps;
      } catch {
        taps = []; // a conv-only model: S3-S7 are left out with a note
      }
      const report = filtersReport(model, taps);
      if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else process.stdout.write(report.convs.map(convSummary).join('\n'));
    });
}

const f = (x: number | null | undefined, d = 4) =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d);

function convSummary(c: ConvReport): string {
  const lines = [
    `${c.name} (${c.node}): weight [${c.weight_dims}], kernel ${c.kernel}, dilation ${c.dilation}, pads ${c.pads.join('/')}, taps read ${c.offsets.map((o) => (o > 0 ? `+${o}` : o)).join(', ')}`,
    `S0 causal: ${c.causal ? 'yes (every future tap is exactly 0)' : `NO: taps at ${c.nonzero_future_offsets.join(', ')} read the future`}`,
    `S1 ${c.taps_source}:`,
    '  tap   offset  max       min       q75       q90       mean      std       |w| q90   fro       energy',
    ...c.taps.map(
      (t) =>
        `  ${t.name.padEnd(5)} ${String(t.offset).padEnd(7)} ${[t.max, t.min, t.q75, t.q90, t.mean, t.std, t.abs_q90, t.fro, t.energy_share].map((x) => f(x).padEnd(9)).join(' ')}`,
    ),
  ];
  if (c.raw_taps) {
    lines.push('S1 raw (manifest conv_raw_stats):');
    for (const t of c.raw_taps as { offset: number; max: number; min: number; q75: number; q90: number }[])
      lines.push(
        `  offset ${String(t.offset).padEnd(4)} max ${f(t.max)} min ${f(t.min)} q75 ${f(t.q75)} q90 ${f(t.q90)}`,
      );
  }
  const r = c.channel_ratios;
  if (r)
    lines.push(
      `S2 prev/cur per output channel: median ${f(r.median)}, q10 ${f(r.q10)}, q90 ${f(r.q90)}, frac > 1 ${f(r.frac_above_1, 3)}; init null band sd(log) ${f(r.null_sd_log)}, outside 2 sd: ${f(r.frac_outside_null, 3)}`,
    );
  for (const a of c.attention) {
    lines.push(
      `${a.pattern} head ${a.head}: S4 prev share key ${f(a.key_prev_share)} query ${f(a.query_prev_share)}; S6 cos ${f(a.smear.cos)} s* ${f(a.smear.s)} sigma ${f(a.smear.sigma)}`,
    );
    if (a.prefix_qk && a.dup_qk)
      lines.push(
        `  S7 M_pre: trace ${a.prefix_qk.trace.toExponential(3)}, eig ratio ${f(a.prefix_qk.eig_ratio)}, top-1 diag ${f(a.prefix_qk.top1_diag, 3)}; M_dup: eig ratio ${f(a.dup_qk.eig_ratio)}, top-1 diag ${f(a.dup_qk.top1_diag, 3)}`,
      );
  }
  lines.push(...c.notes.map((n) => `note: ${n}`));
  return `${lines.join('\n')}\n`;
}
