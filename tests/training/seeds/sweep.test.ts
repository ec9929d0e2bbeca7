import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandLine, expandGrid, readGrid, type GridFile } from '../../../training/sweep/grid';

const cli = path.resolve('bin/smallscope.js');
const run = (args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

const GRID: GridFile = {
  base: {
    task: 'selcopy',
    area: 8,
    letters: 3,
    arch: 'conv-stack',
    layers: 3,
    channels: 4,
    batch: 4,
    steps: 2,
    'val-batches': 1,
  },
  grid: {
    conv: [{ kernel: 3 }, { kernel: 5, dilation: '1,2,1' }],
    attn: ['0,0,0', '0,0,T'],
  },
};

describe('sweeps: a grid file crosses its values into one run folder per configuration', () => {
  it('expands object values together and names folders by the flags that vary', () => {
    const runs = expandGrid(GRID);
    expect(runs.map((r) => r.name)).toEqual([
      'kernel3_attn0-0-0',
      'kernel3_attn0-0-T',
      'kernel5_dilation1-2-1_attn0-0-0',
      'kernel5_dilation1-2-1_attn0-0-T',
    ]);
    expect(commandLine(runs[3], 'runs/x')).toBe(
      'smallscope train --task selcopy --area 8 --letters 3 --arch conv-stack --layers 3 --channels 4 --batch 4 --steps 2 --val-batches 1 --kernel 5 --dilation 1,2,1 --attn 0,0,T --out runs/x/kernel5_dilation1-2-1_attn0-0-T',
    );
  });

  it('a bare flag set to false names its folder no-FLAG, so the pair is self-attn and no-self-attn', () => {
    const runs = expandGrid({ base: { task: 'shapes' }, grid: { 'self-attn': [false, true] } });
    expect(runs.map((r) => r.name)).toEqual(['no-self-attn', 'self-attn']);
    expect(commandLine(runs[0], 'o')).toBe('smallscope train --task shapes --out o/no-self-attn');
    expect(commandLine(runs[1], 'o')).toBe('smallscope train --task shapes --self-attn --out o/self-attn');
  });

  it('every seed table has a grid in docs/grids, one run per table row', () => {
    const rows: Record<string, number> = {
      'seed000-selcopy': 16,
      'seed001-preliminary': 5,
      'seed001-nops-layers': 12,
      'seed001-curriculum': 6,
      'seed001-attention': 10,
    };
    for (const [f, n] of Object.entries(rows))
      expect(expandGrid(readGrid(`docs/grids/${f}.json`))).toHaveLength(n);
    const r = run(['sweep', 'docs/grids/seed000-selcopy.json', '--out', 'r', '--emit-commands']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(16);
    expect(lines.every((l) => l.startsWith('smallscope train --task selcopy '))).toBe(true);
  });

  it('four seed-000 configurations train end to end, a re-run skips them, and the table prints the seed columns', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sweep-'));
    const grid = path.join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify(GRID));
    const out = path.join(dir, 'runs');
    const r = run(['sweep', grid, '--out', out]);
    expect(r.stderr).toMatch(/4\/4 runs complete/);
    expect(r.status).toBe(0);
    const again = run(['sweep', grid, '--out', out]);
    expect(again.stderr.match(/done already, skipped/g)).toHaveLength(4);
    const summary = JSON.parse(readFileSync(path.join(out, 'kernel3_attn0-0-T', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ steps: 2, batch: 4, seq_len: 12 });
    expect(summary.mask_error).toBeGreaterThanOrEqual(0);
    const table = run(['table', out]);
    expect(table.status).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /area.*letters.*\| l .*ch.*ks.*dil.*attn.*validation loss.*validation mask error %.*validation sample error %.*model params/,
    );
    expect(lines).toHaveLength(2 + 4);
    expect(table.stdout).toMatch(/\| 0,0,T +\|/);
    expect(table.stdout).toMatch(/\| 1,2,1 +\|/);
  }, 180_000);
});
