import type { Column, RunRow } from './run-table';

/** Text of the run table in the seeds' formats: tabulate's "pipe" markdown, CSV, LaTeX (booktabs). */

/** Python's format(x, 'g'): 6 significant digits, trailing zeros dropped, exponent below 1e-4 or from 1e6. */
export function pyG(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [m, e] = x.toExponential(5).split('e');
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = x.toFixed(Math.max(0, 5 - exp));
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

const thousands = (n: number) => Math.round(n).toLocaleString('en-US');

/** A cell as the seeds print it. */
export function display(key: string, v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (key === 'params') return thousands(v);
  if (key === 'throughput') return `${thousands(v)}/s`;
  if (key === 'minutes') return pyG(Math.round(v * 100) / 100);
  return pyG(v);
}

export function markdown(columns: Column[], rows: RunRow[]): string {
  const body = rows.map((r) => columns.map((c) => display(c.key, r.cells[c.key])));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...body.map((b) => b[i].length)));
  const pad = (s: string, i: number) =>
    columns[i].align === 'right' ? s.padStart(widths[i]) : s.padEnd(widths[i]);
  const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `|${columns.map((c, i) => (c.align === 'right' ? `${'-'.repeat(widths[i] + 1)}:` : `:${'-'.repeat(widths[i] + 1)}`)).join('|')}|`;
  return [line(columns.map((c) => c.header)), rule, ...body.map(line)].join('\n') + '\n';
}

/** CSV (RFC 4180): the same headers, raw numbers (no separators, no '/s') for spreadsheets and pandas. */
export function csv(columns: Column[], rows: RunRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const raw = (v: number | string | null | undefined) =>
    v === null || v === undefined ? '' : typeof v === 'number' ? String(Number(v.toPrecision(10))) : v;
  return (
    [
      columns.map((c) => q(c.header)).join(','),
      ...rows.map((r) => columns.map((c) => q(raw(r.cells[c.key]))).join(',')),
    ].join('\n') + '\n'
  );
}

const tex = (s: string) => s.replace(/([%&#_$])/g, '\\$1');

/** A booktabs tabular with the markdown's numbers and alignment. */
export function latex(columns: Column[], rows: RunRow[]): string {
  const spec = columns.map((c) => (c.align === 'right' ? 'r' : 'l')).join('');
  const lines = [
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    `${columns.map((c) => tex(c.header)).join(' & ')} \\\\`,
    '\\midrule',
    ...rows.map((r) => `${columns.map((c) => tex(display(c.key, r.cells[c.key]))).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
  ];
  return lines.join('\n') + '\n';
}
