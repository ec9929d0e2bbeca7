import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { generateCorpus } from '../../training/tasks/corpus';
import { loadTextTask, sampleWindows, validationBatches } from '../../training/tasks/text';
import { Rng } from '../../training/random';

/** Fraction of positions whose next 8 bytes occur again within the following `window` bytes. */
function repeatFraction(text: string, window: number): number {
  let hits = 0;
  let n = 0;
  for (let i = 0; i + 8 < text.length - window; i += 3) {
    const gram = text.slice(i, i + 8);
    if (text.slice(i + 1, i + 8 + window).includes(gram)) hits++;
    n++;
  }
  return hits / n;
}

describe('the text task', () => {
  it('the corpus generator is deterministic for a seed and differs between seeds', () => {
    expect(generateCorpus(5, 20_000)).toBe(generateCorpus(5, 20_000));
    expect(generateCorpus(6, 20_000)).not.toBe(generateCorpus(5, 20_000));
    expect(generateCorpus(5, 20_000).length).toBe(20_000);
  });

  it('the generated text repeats itself within a context far more than shuffled text does', () => {
    const text = generateCorpus(1, 50_000);
    const rng = new Rng(0);
    const shuffled = rng.sample(text.split(''), text.length).join('');
    const f = repeatFraction(text, 64);
    expect(f).toBeGreaterThan(0.2);
    expect(repeatFraction(shuffled, 64)).toBeLessThan(0.01);
    // and it contains blocks of random letters written twice in a row
    expect(text).toMatch(/\b([a-z]{8,})\s?\1\b/);
  });

  it('batches are [batch, seq_len + 1] windows of the training split; validation windows are fixed', () => {
    const task = loadTextTask({ seed: 0, seqLen: 16 });
    expect(task.train.length + task.val.length).toBe(task.describe.bytes);
    const w = sampleWindows(task.train, new Rng(1), 4, 16);
    expect(w.length).toBe(4 * 17);
    const v1 = validationBatches(task.val, 4, 16, 3);
    const v2 = validationBatches(task.val, 4, 16, 3);
    expect(v1.length).toBe(3);
    expect(v1).toEqual(v2);
  });

  it('--corpus: a missing file or invalid UTF-8 is a usage error that names the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-corpus-'));
    const missing = path.join(dir, 'nope.txt');
    expect(() => loadTextTask({ corpus: missing, seed: 0, seqLen: 8 })).toThrow(UsageError);
    expect(() => loadTextTask({ corpus: missing, seed: 0, seqLen: 8 })).toThrow(/nope\.txt/);
    const latin1 = path.join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x61]));
    expect(() => loadTextTask({ corpus: latin1, seed: 0, seqLen: 2 })).toThrow(
      /latin1\.txt is not valid UTF-8/,
    );
    const ok = path.join(dir, 'ok.txt');
    writeFileSync(ok, 'héllo wörld '.repeat(50));
    const task = loadTextTask({ corpus: ok, seed: 0, seqLen: 8 });
    expect(task.describe).toMatchObject({ name: 'text', source: ok });
    expect(task.train.length + task.val.length).toBe(Buffer.byteLength('héllo wörld '.repeat(50)));
  });
});
