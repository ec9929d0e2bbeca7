import { describe, expect, it } from 'vitest';
import { METRICS, finalAndBest, metricsPresent, type RunPoint } from '../../../src/lib/runs';

// by a variable: the node type check (tsconfig.node.json) does not know SvelteKit's $lib aliases
const server = '../../../src/lib/server/runs';
const { parseMetrics } = (await import(/* @vite-ignore */ server)) as {
  parseMetrics(text: string): RunPoint[];
};

describe('training curves of a run', () => {
  const jsonl = [
    '{"step":200,"loss":0.5,"val_loss":0.6,"mask_error":0.25,"sample_error":0.5,"samples_per_s":900}',
    '{"step":100,"loss":1.5,"val_loss":1.4,"val_acc":0.4}',
    '{"step":300,"loss":0.2,"val_lo', // a half-written last line while training
  ].join('\n');

  it('reads every curve metrics.jsonl has, error rates included, ordered by step', () => {
    expect(parseMetrics(jsonl)).toEqual([
      { step: 100, loss: 1.5, val_loss: 1.4, val_acc: 0.4, mask_error: undefined, sample_error: undefined },
      { step: 200, loss: 0.5, val_loss: 0.6, val_acc: undefined, mask_error: 0.25, sample_error: 0.5 },
    ]);
  });

  it('offers only the curves some run has (error rates belong to the masked tasks)', () => {
    const text: RunPoint[] = [{ step: 1, loss: 2, val_loss: 2.1 }];
    const masked: RunPoint[] = [{ step: 1, loss: 2, mask_error: 0.1, sample_error: 0.3 }];
    expect(metricsPresent([{ points: text }]).map((m) => m.key)).toEqual(['loss', 'val_loss']);
    expect(metricsPresent([{ points: text }, { points: masked }]).map((m) => m.key)).toEqual([
      'loss',
      'val_loss',
      'mask_error',
      'sample_error',
    ]);
    expect(metricsPresent([{ points: [] }])).toEqual([...METRICS]);
  });

  it('takes the lowest error rate as best, the highest accuracy', () => {
    const points = parseMetrics(jsonl);
    expect(finalAndBest(points, 'mask_error')).toEqual({ final: 0.25, best: 0.25 });
    expect(finalAndBest([...points, { step: 400, mask_error: 0.5 }], 'mask_error')).toEqual({
      final: 0.5,
      best: 0.25,
    });
    expect(finalAndBest(points, 'val_acc')).toEqual({ final: 0.4, best: 0.4 });
  });

  it('says what the values are: losses in nats per byte, error rates as fractions', () => {
    const unit = (key: string) => METRICS.find((m) => m.key === key)?.unit;
    expect(unit('val_loss')).toBe('cross-entropy in nats per byte');
    expect(unit('mask_error')).toBe('fraction of masked answer characters wrong');
    expect(unit('sample_error')).toBe('fraction of answers with any character wrong');
  });
});
