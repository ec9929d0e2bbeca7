import { mkdtempSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../training/export/atomic';
import { decodeState, encodeState } from '../../training/checkpoint';

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('checkpoints are written atomically', () => {
  it('a write that fails mid-file leaves the previous checkpoint byte-identical and no temp file behind', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-atomic-'));
    const file = path.join(dir, 'model.onnx');
    const before = bytes(3_000_000, 1); // three 1 MiB chunks, so the failure lands mid-file
    writeFileAtomic(file, before);
    let calls = 0;
    const failing = {
      writeSync: ((fd: number, buf: Uint8Array, off: number, len: number) => {
        if (++calls === 2)
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        return writeSync(fd, buf, off, len);
      }) as typeof writeSync,
    };
    expect(() => writeFileAtomic(file, bytes(3_000_000, 2), failing)).toThrow(/ENOSPC/);
    expect(calls).toBe(2);
    expect(Buffer.compare(readFileSync(file), Buffer.from(before))).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('a successful write replaces the file completely and leaves no temp file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-atomic-'));
    const file = path.join(dir, 'state.bin');
    writeFileAtomic(file, bytes(5000, 1));
    const after = bytes(1234, 9);
    writeFileAtomic(file, after);
    expect(Buffer.compare(readFileSync(file), Buffer.from(after))).toBe(0);
    expect(readdirSync(dir)).toEqual(['state.bin']);
  });

  it('the training state round-trips every float exactly (weights, moments, RNG, history)', () => {
    const state = {
      config: { name: 'x' },
      step: 7,
      rng: { words: [1, 2, 3, 4] as [number, number, number, number], spare: 0.25 },
      history: [{ step: 7, loss: 1.5 }],
      params: { a: Float32Array.of(1.5, -2.25, 3e-8), 'b.c': Float32Array.of(Math.PI) },
      m: { a: Float32Array.of(0.1, 0.2, 0.3), 'b.c': Float32Array.of(-1) },
      v: { a: Float32Array.of(1, 2, 3), 'b.c': Float32Array.of(4) },
    };
    const back = decodeState<{ name: string }>(encodeState(state), 'test');
    expect(back.step).toBe(7);
    expect(back.rng).toEqual(state.rng);
    expect(back.history).toEqual(state.history);
    expect(Array.from(back.params.a)).toEqual(Array.from(state.params.a));
    expect(Array.from(back.params['b.c'])).toEqual([Math.fround(Math.PI)]);
    expect(Array.from(back.v.a)).toEqual([1, 2, 3]);
  });
});
