import { describe, expect, test } from 'vitest';
import { createOutputReserve, type Preparer } from '../../runtime/web/output-arrays';
import { PAGE, touchedBuffers } from '../../runtime/web/touch';

const MB = 1 << 20;
/** A 2048-token pattern: 2048^2 float32 = 16 MB. */
const T2 = 2048 * 2048;

/** A reserve whose preparer maps buffers on this thread and records what it was asked for. */
function reserve(opts: { prepare?: Preparer } = {}) {
  const asked: number[][] = [];
  const prepare: Preparer =
    opts.prepare ??
    (async (sizes) => {
      asked.push(sizes);
      return touchedBuffers(sizes);
    });
  const pending: (() => void)[] = [];
  const r = createOutputReserve({ prepare, later: (f) => pending.push(f) });
  /** The page painted: the reserve's "after this run" work runs, and its buffers arrive. */
  const idle = async () => {
    for (const f of pending.splice(0)) f();
    await r.settled();
  };
  return { r, asked, idle };
}

describe('output reserve', () => {
  test('a large output before any preparation is a new array of its length, zero-filled', () => {
    const { r } = reserve();
    const a = r.take(Float32Array, T2);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(T2);
    expect(a.buffer.byteLength).toBe(T2 * 4);
    expect(a.every((v) => v === 0)).toBe(true);
  });

  test('after a run, a buffer 10% larger than its output, rounded to pages, is prepared once it has painted', async () => {
    const { r, asked, idle } = reserve();
    r.take(Float32Array, T2);
    expect(asked).toEqual([]); // nothing during the run
    await idle();
    const size = Math.ceil((T2 * 4 * 1.1) / PAGE) * PAGE;
    expect(asked).toEqual([[size]]);
    expect(r.spareBytes).toEqual([size]);
  });

  test("the next run's output a token longer or shorter is written into the prepared buffer, at offset 0", async () => {
    const { r, idle } = reserve();
    r.take(Float32Array, 2047 * 2047);
    await idle();
    const [spare] = r.spareBytes;
    const a = r.take(Float32Array, T2);
    expect(a.length).toBe(T2);
    expect(a.byteOffset).toBe(0);
    expect(a.buffer.byteLength).toBe(spare);
    expect(r.spareBytes).toEqual([]);
    const b = r.take(Float32Array, 2047 * 2047);
    expect(b.buffer).not.toBe(a.buffer); // handed out once: the first array is still in use
    expect(b.buffer.byteLength).toBe(2047 * 2047 * 4);
  });

  test('a run with several large outputs gets one prepared buffer each', async () => {
    const { r, asked, idle } = reserve();
    r.take(Float32Array, T2);
    r.take(Float32Array, T2);
    await idle();
    expect(asked[0]).toHaveLength(2);
    const a = r.take(Float32Array, T2);
    const b = r.take(Float32Array, T2);
    expect(a.buffer.byteLength).toBe(asked[0][0]);
    expect(b.buffer.byteLength).toBe(asked[0][1]);
    expect(a.buffer).not.toBe(b.buffer);
  });

  test('outputs under 1 MB are plain new arrays and prepare nothing', async () => {
    const { r, asked, idle } = reserve();
    const a = r.take(Float32Array, 256 * 256);
    await idle();
    expect(a.buffer.byteLength).toBe(256 * 256 * 4);
    expect(asked).toEqual([]);
    expect(r.spareBytes).toEqual([]);
  });

  test('a spare more than twice the output is not used for it, and is let go when a run no longer needs it', async () => {
    const { r, asked, idle } = reserve();
    r.take(Float32Array, T2);
    await idle();
    const small = r.take(Float32Array, 700 * 700); // 1.96 MB: a paste of a shorter text
    expect(small.buffer.byteLength).toBe(700 * 700 * 4);
    await idle();
    expect(asked[1]).toEqual([Math.ceil((700 * 700 * 4 * 1.1) / PAGE) * PAGE]);
    expect(r.spareBytes).toEqual(asked[1]); // the 18 MB spare is dropped
  });

  test('a spare that still fits the next run is kept rather than prepared again', async () => {
    const { r, asked, idle } = reserve();
    r.take(Float32Array, T2);
    r.take(Float32Array, T2);
    await idle();
    r.take(Float32Array, T2); // a run with one output uses one spare; the other still fits
    await idle();
    expect(asked).toHaveLength(1);
    expect(r.spareBytes).toHaveLength(1);
  });

  test('release() lets go of the prepared buffers, and of those still in preparation when they arrive', async () => {
    const { r, idle } = reserve();
    r.take(Float32Array, T2);
    await idle();
    expect(r.spareBytes).toHaveLength(1);
    r.release();
    expect(r.spareBytes).toEqual([]);
    expect(r.take(Float32Array, T2).buffer.byteLength).toBe(T2 * 4);
    const arriving = idle(); // the preparation for that run is under way ...
    r.release(); // ... when the session closes
    await arriving;
    expect(r.spareBytes).toEqual([]);
  });

  test('a failing preparer leaves runs with new arrays', async () => {
    const { r, idle } = reserve({ prepare: () => Promise.reject(new Error('no worker')) });
    r.take(Float32Array, T2);
    await idle();
    expect(r.spareBytes).toEqual([]);
    expect(r.take(Float32Array, T2).length).toBe(T2);
  });

  test('other element types get arrays of their own type over prepared buffers', async () => {
    const { r, idle } = reserve();
    r.take(Int32Array, 2 * MB);
    await idle();
    const a = r.take(Int32Array, 2 * MB);
    expect(a).toBeInstanceOf(Int32Array);
    expect(a.length).toBe(2 * MB);
    expect(a.buffer.byteLength).toBeGreaterThan(8 * MB);
  });
});

describe('touchedBuffers', () => {
  test('gives zero-filled buffers of exactly the sizes asked', () => {
    const [a, b] = touchedBuffers([3 * PAGE, 5]);
    expect(a.byteLength).toBe(3 * PAGE);
    expect(b.byteLength).toBe(5);
    expect(new Uint8Array(a).every((v) => v === 0)).toBe(true);
  });
});
