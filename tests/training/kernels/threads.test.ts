import { afterEach, describe, expect, it, vi } from 'vitest';
import { MIN_TOKENS_PER_THREAD, MIN_WORK_PER_THREAD, threadsFor } from '../../../training/parallel/pool';

vi.mock('node:os', async (orig) => ({
  ...(await orig<typeof import('node:os')>()),
  availableParallelism: () => 2,
}));

const saved = process.env.SMALLSCOPE_THREADS;
afterEach(() => {
  if (saved === undefined) delete process.env.SMALLSCOPE_THREADS;
  else process.env.SMALLSCOPE_THREADS = saved;
});

describe('how many threads a training step is split over (2 cores)', () => {
  it('a seed-000 C=32 step (61,696 params x 64 x 51 tokens = 0.2e9 products) stays on one thread', () => {
    delete process.env.SMALLSCOPE_THREADS;
    expect(61_696 * 64 * 51).toBeLessThan(2 * MIN_WORK_PER_THREAD);
    expect(threadsFor(64, 51, 61_696)).toBe(1);
  });

  it('a seed-000 C=128 step (885,760 params: 2.9e9 products) and seed 001 (1.0e9) use both cores', () => {
    delete process.env.SMALLSCOPE_THREADS;
    expect(threadsFor(64, 51, 885_760)).toBe(2);
    expect(threadsFor(64, 64, 237_952)).toBe(2);
  });

  it('an explicit SMALLSCOPE_THREADS splits small models too, but never below the token floor or one row per thread', () => {
    process.env.SMALLSCOPE_THREADS = '2';
    expect(threadsFor(64, 51, 61_696)).toBe(2);
    expect(threadsFor(4, (2 * MIN_TOKENS_PER_THREAD) / 4 - 1, 61_696)).toBe(1);
    expect(threadsFor(1, 4096, 61_696)).toBe(1);
    process.env.SMALLSCOPE_THREADS = '1';
    expect(threadsFor(64, 51, 885_760)).toBe(1);
  });
});
