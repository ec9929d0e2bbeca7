import { describe, expect, it } from 'vitest';
import { cli, makeRuns } from './fixture';

/** `smallscope table` against a fixture runs folder: exact Markdown, CSV and LaTeX. */
const runs = makeRuns();

const MD = `| area | letters | l | ch | ks | dil   | attn  | validation loss | validation mask error % | validation sample error % | model params | train time (minutes) | throughput |
|-----:|--------:|--:|---:|---:|:------|:------|----------------:|------------------------:|--------------------------:|-------------:|---------------------:|-----------:|
|   40 |      10 | 1 | 64 |  3 |       | T     |        0.428964 |                 88.9958 |                       100 |       29,920 |                 5.98 |   10,867/s |
|   80 |      10 | 3 | 32 | 13 | 5,7,1 | 0,0,T |     3.31051e-06 |                       0 |                         0 |       61,696 |                 7.93 |    2,689/s |
`;

describe('smallscope table', () => {
  it('markdown in the seed format', () => {
    const r = cli(['table', runs]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(MD);
  });

  it('csv with raw numbers', () => {
    const r = cli(['table', runs, '--format', 'csv']);
    expect(r.stdout).toBe(
      `area,letters,l,ch,ks,dil,attn,validation loss,validation mask error %,validation sample error %,model params,train time (minutes),throughput
40,10,1,64,3,,T,0.428964,88.9958,100,29920,5.98,10867.4
80,10,3,32,13,"5,7,1","0,0,T",0.00000331051,0,0,61696,7.93237649,2689.4
`,
    );
  });

  it('latex (booktabs)', () => {
    const r = cli(['table', runs, '--format', 'tex', '--sort', 'val_loss']);
    expect(r.stdout).toBe(
      `\\begin{tabular}{rrrrrllrrrrrr}
\\toprule
area & letters & l & ch & ks & dil & attn & validation loss & validation mask error \\% & validation sample error \\% & model params & train time (minutes) & throughput \\\\
\\midrule
80 & 10 & 3 & 32 & 13 & 5,7,1 & 0,0,T & 3.31051e-06 & 0 & 0 & 61,696 & 7.93 & 2,689/s \\\\
40 & 10 & 1 & 64 & 3 &  & T & 0.428964 & 88.9958 & 100 & 29,920 & 5.98 & 10,867/s \\\\
\\bottomrule
\\end{tabular}
`,
    );
  });

  it('sorts descending and rejects unknown columns in one line', () => {
    const r = cli(['table', runs, '--sort', 'params:desc']);
    expect(r.stdout.split('\n')[2]).toContain('61,696');
    const bad = cli(['table', runs, '--sort', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain("no column 'nope'");
  });
});
