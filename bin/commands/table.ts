import { Command, Option } from '../cli';
import { readRuns, sortRows } from '../figures/run-table';
import { csv, latex, markdown } from '../../figures/table-format';

/** `smallscope table RUNS_DIR`: the seeds' run table from run folders, as Markdown, CSV or LaTeX. */
export function register(program: Command): void {
  program
    .command('table')
    .description('the run table (as in the seeds) of every run folder under RUNS_DIR')
    .argument(
      '<runs>',
      'folder of run folders, each with model.onnx (and optionally summary.json, metrics.jsonl)',
    )
    .addOption(new Option('--format <f>', 'output format').choices(['md', 'csv', 'tex']).default('md'))
    .option(
      '--sort <column>',
      'sort by a column key or header, e.g. val_loss or params:desc (empty cells last)',
    )
    .addHelpText(
      'after',
      `
Columns: the task's parameters, l, ch, ks, dil, attn, val_loss, mask_error, sample_error, params, minutes,
throughput. Error rates come from summary.json (mask_error / sample_error as fractions, or *_pct); train time
from summary.json wall_s, else steps x batch / samples_per_s. Runs are listed by folder name unless --sort.`,
    )
    .action((dir: string, o: { format: 'md' | 'csv' | 'tex'; sort?: string }) => {
      const { columns, rows } = readRuns(dir);
      const sorted = o.sort ? sortRows(columns, rows, o.sort) : rows;
      const f = o.format === 'csv' ? csv : o.format === 'tex' ? latex : markdown;
      process.stdout.write(f(columns, sorted));
    });
}
