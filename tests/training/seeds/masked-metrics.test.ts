import { describe, expect, it } from 'vitest';
import { addCounts, errorRates, maskedCounts } from '../../../training/metrics';
import { encodeBatch } from '../../../training/tasks/masked-batches';
import { masked } from '../../../training/tasks/masked-sample';

const bytes = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('masked metrics: mask error counts wrong answer characters, sample error wrong answers', () => {
  const samples = [masked('A  B C:', 'ABC'), masked(' D E  :', 'DE')];
  const batch = encodeBatch(samples, 10);

  it('the input hides the answer behind ? and the target holds it; spans mark the answer', () => {
    expect(String.fromCharCode(...batch.inputs.slice(0, 10))).toBe('A  B C:???');
    expect(String.fromCharCode(...batch.targets.slice(0, 10))).toBe('A  B C:ABC');
    expect(batch.spans).toEqual([
      { start: 7, end: 10 },
      { start: 7, end: 9 },
    ]);
  });

  it('perfect predictions give 0% and 0%', () => {
    expect(errorRates(maskedCounts(batch.targets, batch.targets, 10, batch.spans))).toEqual({
      mask_error: 0,
      sample_error: 0,
    });
  });

  it('one wrong answer character out of 5 gives 20% mask error and 50% sample error', () => {
    const pred = Int32Array.from([...bytes('A  B C:ABX'), ...bytes(' D E  :DE ')]);
    const r = errorRates(maskedCounts(pred, batch.targets, 10, batch.spans));
    expect(r.mask_error).toBeCloseTo(1 / 5);
    expect(r.sample_error).toBeCloseTo(1 / 2);
  });

  it('errors outside the answer (the copied question, the padding) are not counted', () => {
    const pred = Int32Array.from([...bytes('XXXXXXXABC'), ...bytes('XXXXXXXDEX')]);
    expect(errorRates(maskedCounts(pred, batch.targets, 10, batch.spans)).mask_error).toBe(0);
  });

  it('counts add up over batches', () => {
    const a = maskedCounts(Int32Array.from(bytes('A  B C:XXX')), batch.targets.slice(0, 10), 10, [
      batch.spans[0],
    ]);
    const b = maskedCounts(Int32Array.from(bytes(' D E  :DE ')), batch.targets.slice(10), 10, [
      batch.spans[1],
    ]);
    expect(errorRates(addCounts(a, b))).toEqual({ mask_error: 3 / 5, sample_error: 1 / 2 });
  });
});
