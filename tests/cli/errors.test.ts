import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/smallscope.js', import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('the command line on bad usage', () => {
  it('an unknown flag is one line on stderr, with the suggestion on the same line, and exit code 2', () => {
    const r = run('train', '--arch', 'conv-attn', '--out', '/tmp/never-written', '--corpsu', 'x');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^smallscope: unknown option '--corpsu' \(Did you mean --corpus\?\)/);
  });

  it('an unknown command is one line and exit code 2', () => {
    const r = run('probe', 'colours', 'x.onnx');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('--help answers with exit code 0 and lists every command', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    for (const c of ['train', 'inspect', 'probe', 'figure', 'figures', 'table', 'serve'])
      expect(r.stdout).toContain(c);
  });
});
