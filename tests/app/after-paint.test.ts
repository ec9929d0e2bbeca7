import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

/** Frames are run by hand: requestAnimationFrame callbacks wait in `frames` until `paint()`. */
let frames: (() => void)[] = [];
const paint = () => {
  const due = frames;
  frames = [];
  for (const f of due) f();
};

beforeEach(() => {
  vi.useFakeTimers();
  frames = [];
  vi.stubGlobal('requestAnimationFrame', (f: () => void) => frames.push(f));
  vi.resetModules();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('afterPaint', () => {
  test('runs nothing before the frame, then every call in order, once', async () => {
    const { afterPaint } = await import('../../runtime/web/after-paint');
    const log: string[] = [];
    afterPaint(() => log.push('a'));
    afterPaint(() => log.push('b'));
    vi.advanceTimersByTime(50);
    expect(log).toEqual([]);
    paint();
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['a', 'b']);
    vi.advanceTimersByTime(200); // the 100 ms fallback finds them done
    expect(log).toEqual(['a', 'b']);
  });

  test('runs after 100 ms where no frame comes (a hidden tab), then a later call waits for the next frame', async () => {
    const { afterPaint } = await import('../../runtime/web/after-paint');
    const log: string[] = [];
    afterPaint(() => log.push('a'));
    vi.advanceTimersByTime(100);
    expect(log).toEqual(['a']);
    afterPaint(() => log.push('b'));
    vi.advanceTimersByTime(50);
    expect(log).toEqual(['a']);
    paint();
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['a', 'b']);
  });

  test('one failing call does not stop the others', async () => {
    const { afterPaint } = await import('../../runtime/web/after-paint');
    const log: string[] = [];
    const errors: unknown[] = [];
    vi.stubGlobal('queueMicrotask', (f: () => void) => {
      try {
        f();
      } catch (err) {
        errors.push(err);
      }
    });
    afterPaint(() => {
      throw new Error('boom');
    });
    afterPaint(() => log.push('b'));
    paint();
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['b']);
    expect(errors).toHaveLength(1);
  });
});
