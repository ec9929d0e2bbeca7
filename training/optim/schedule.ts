/**
 * Learning rate for update `step` (0-based) of `total`: linear warmup from 0 over the first
 * ceil(warmup * total) updates, then a half cosine down to 0. Same as Hugging Face's
 * get_cosine_schedule_with_warmup with warmup_ratio, the seed's `scheduler = 'cosine'`, `warmup_ratio = 0.1`.
 */
export function cosineWithWarmup(step: number, total: number, peak: number, warmup: number): number {
  const warmupSteps = Math.ceil(warmup * total);
  if (step < warmupSteps) return (peak * step) / Math.max(1, warmupSteps);
  const progress = (step - warmupSteps) / Math.max(1, total - warmupSteps);
  return peak * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}

/** The learning-rate schedules `train --schedule` offers. */
export type Schedule = 'cosine' | 'constant';

/**
 * The rate for update `step` under `schedule`: 'cosine' as above; 'constant' is `peak` at every step (after the
 * same linear warmup, if any), as seed 004's tf.train.AdamOptimizer(1e-2) trains.
 */
export function learningRate(
  schedule: Schedule,
  step: number,
  total: number,
  peak: number,
  warmup: number,
): number {
  if (schedule === 'cosine') return cosineWithWarmup(step, total, peak, warmup);
  const warmupSteps = Math.ceil(warmup * total);
  return step < warmupSteps ? (peak * step) / Math.max(1, warmupSteps) : peak;
}
