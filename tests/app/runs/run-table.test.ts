import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runRow, tableColumns, type Column, type RunRow } from '../../../figures/run-table';
import { csv, latex, markdown } from '../../../figures/table-format';
import { MODEL, cli, makeRuns, tmpDir, withManifest } from '../../figures/fixture';

// the served folders come from SMALLSCOPE_CHECKPOINTS, as `smallscope serve` sets it
vi.mock('$env/dynamic/private', () => ({ env: process.env }));

/**
 * The run table of the runs view: rows in the seeds' format (their columns, units and number style), built by
 * the module `smallscope table` uses, so the page's table and exports are the CLI's.
 */
const manifest = (arch: object, task: object, extra: object = {}) => ({
  format: 1,
  name: 'r',
  arch,
  tokenizer: 'bytes',
  task,
  training: { batch: 64 },
  step: 1000,
  params: 0,
  history: [],
  created: '2025-01-01T00:00:00Z',
  ...extra,
});

function runFolder(root: string, name: string, m: object, summary: object): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  withManifest(MODEL, path.join(dir, 'model.onnx'), m);
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  return dir;
}

describe('the runs view table in the seed format', () => {
  it("seed 001's row (nitem 26, len 5, nops 5, 6 x 64 ch, ks 9): error rates in %, params and throughput as printed", () => {
    // the seed's line: | 26 | 5 | 5 | 6 | 64 | 9 | 0.23663 | 71.9705 | 99.9104 | 237,952 | 58.04 | 1,145/s |
    const root = tmpDir('seed001');
    runFolder(
      root,
      'l6',
      manifest(
        {
          kind: 'conv-stack',
          layers: 6,
          channels: 64,
          kernel: 9,
          dilation: [1, 2, 3, 4, 5, 1],
          attn: [0, 0, 0, 0, 0, 0],
        },
        { name: 'vselcopy', nitem: 26, len: 5, nops: 5 },
        { params: 237952 },
      ),
      {
        val_loss: 0.23663,
        mask_error: 0.719705,
        sample_error: 0.999104,
        wall_s: 58.04 * 60,
        samples_per_s: 1145.2,
      },
    );
    const { stdout } = cli(['table', root]);
    const [header, , line] = stdout.split('\n');
    const cells = (l: string) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim());
    expect(cells(header)).toEqual([
      'nitem',
      'len',
      'nops',
      'l',
      'ch',
      'ks',
      'dil',
      'attn',
      'validation loss',
      'validation mask error %',
      'validation sample error %',
      'model params',
      'train time (minutes)',
      'throughput',
    ]);
    expect(cells(line)).toEqual([
      '26',
      '5',
      '5',
      '6',
      '64',
      '9',
      '1,2,3,4,5,1',
      '',
      '0.23663',
      '71.9705',
      '99.9104',
      '237,952',
      '58.04',
      '1,145/s',
    ]);
  });

  it('the server reads the same rows as `smallscope table`: Markdown, CSV and LaTeX byte for byte', async () => {
    const root = makeRuns();
    process.env.SMALLSCOPE_CHECKPOINTS = root;
    // by a variable: the node type check (tsconfig.node.json) does not know SvelteKit's $lib / $env aliases
    const server = '../../../src/lib/server/runs';
    const { readRuns } = (await import(/* @vite-ignore */ server)) as {
      readRuns(): Promise<{ runs: { name: string; source: string; row: RunRow }[]; columns: Column[] }>;
    };
    const { runs, columns } = await readRuns();
    const folders = runs.filter((r) => r.source !== 'checkpoint manifest');
    expect(folders.map((r) => r.name)).toEqual(['run-a', 'run-b']);
    const rows = folders.map((r) => r.row);
    expect(columns).toEqual(tableColumns(rows));
    expect(markdown(columns, rows)).toBe(cli(['table', root]).stdout);
    expect(csv(columns, rows)).toBe(cli(['table', root, '--format', 'csv']).stdout);
    expect(latex(columns, rows)).toBe(cli(['table', root, '--format', 'tex']).stdout);
  });

  it('a checkpoint without summary.json takes its numbers from the manifest history (last value of each)', () => {
    const root = tmpDir('ckpt');
    const file = path.join(root, 'm.onnx');
    withManifest(MODEL, file, {
      ...manifest({ kind: 'conv-attn', d_model: 64, kernel: 3 }, { name: 'text' }, { params: 57664 }),
      history: [
        { step: 100, val_loss: 3, mask_error: 0.5, samples_per_s: 900 },
        { step: 200, val_loss: 2.649, samples_per_s: 1000 },
      ],
    });
    const row = runRow('m.onnx', { model: new Uint8Array(readFileSync(file)), summary: null, metrics: null });
    expect(row.cells).toMatchObject({
      l: 1,
      ch: 64,
      ks: 3,
      attn: 'T',
      val_loss: 2.649,
      mask_error: 50,
      params: 57664,
      throughput: 1000,
      minutes: (1000 * 64) / 1000 / 60,
    });
  });
});
