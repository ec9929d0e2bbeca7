import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PYTORCH_HF } from '../fixtures/paths';
import { expectUsageError, smallscope } from '../helpers/cli';
import { wordLevel } from './helpers/tokenizers';

/**
 * The bad inputs of issue 16, each one line on stderr, exit 2, nothing on stdout and no file written: a
 * tokenizer file that is not a tokenizer.json, a tokenizer model type the library does not read, a tokenizer
 * with more ids than the model has embedding rows, text with a piece outside the vocabulary, an input the
 * rules cannot fill.
 */
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-bad-'));
const BPE = `${PYTORCH_HF}bpe/model.onnx`;
const BYTES = `${PYTORCH_HF}gpt2_mask/model.onnx`;
const file = (name: string, content: string) => {
  const p = join(scratch, name);
  writeFileSync(p, content);
  return p;
};

describe('bad input for the models researchers bring', () => {
  it('a tokenizer file that is not a tokenizer.json', () => {
    const notJson = file('vocab.txt', 'hello 0\nworld 1\n');
    expectUsageError(
      smallscope('probe', 'attention', BPE, '--text', 'hi', '--tokenizer', notJson),
      /tokenizer file '.*vocab.txt' is not a tokenizer.json: it is not JSON/,
    );
    const noModel = file('config.json', JSON.stringify({ vocab_size: 457 }));
    expectUsageError(
      smallscope('inspect', BPE, '--tokenizer', noModel),
      /is not a tokenizer.json: it has no "model" object/,
    );
  });

  it('a tokenizer model type the library does not read, named', () => {
    const char = file('char.json', JSON.stringify({ ...wordLevel, model: { type: 'CharLevel', vocab: {} } }));
    expectUsageError(
      smallscope('probe', 'heads', BPE, '--text', 'hi', '--tokenizer', char),
      /model type 'CharLevel' is not supported by @huggingface\/tokenizers/,
    );
  });

  it("a tokenizer whose ids exceed the model's embedding rows: both numbers", () => {
    expectUsageError(
      smallscope(
        'probe',
        'attention',
        BYTES,
        '--text',
        'hi',
        '--tokenizer',
        `${PYTORCH_HF}bpe/tokenizer.json`,
      ),
      /ids up to 456 \(vocabulary 457\) but the model's embedding has 256 rows/,
    );
  });

  it('text whose pieces fall outside the vocabulary', () => {
    const noUnk = file(
      'words.json',
      JSON.stringify({ ...wordLevel, model: { ...wordLevel.model, unk_token: undefined } }),
    );
    expectUsageError(
      smallscope('probe', 'attention', BPE, '--text', 'the cat ate', '--tokenizer', noUnk),
      /the text's piece 'ate' is outside the tokenizer's vocabulary/,
    );
  });

  it('an input the rules cannot fill: its name and shape', () => {
    const tokens = file('t.json', '[[1, 2, 3]]');
    for (const cmd of [
      ['probe', 'attention'],
      ['probe', 'heads'],
      ['probe', 'field'],
    ]) {
      expectUsageError(
        smallscope(...cmd, `${PYTORCH_HF}extra/unfillable.onnx`, '--tokens-file', tokens),
        /the model's input 'pixel_values' \[batch, 3\] \(float\) is not one smallscope can fill/,
      );
    }
  });

  it('a figure with a bad tokenizer writes nothing', () => {
    const out = join(scratch, 'fig.svg');
    const bad = file('bad.json', '{');
    expectUsageError(
      smallscope('figure', 'attention', BPE, '--text', 'the cat', '--tokenizer', bad, '--out', out),
      /is not a tokenizer.json/,
    );
    expect(existsSync(out)).toBe(false);
  });
});
