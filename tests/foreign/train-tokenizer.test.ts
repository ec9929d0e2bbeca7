import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../format/onnx/model';
import { gpt2TokenizerJson } from '../../training/tasks/gpt2-merges';
import { PYTORCH_HF } from '../fixtures/paths';
import { expectUsageError, smallscope } from '../helpers/cli';

/**
 * `smallscope train --tokenizer FILE`: the model's vocabulary is the tokenizer's, the corpus its ids, and the
 * checkpoint embeds the tokenizer.json whole, so text given to the checkpoint alone is tokenized as the file
 * would (the ids PyTorch's fixture script computed for the same text, bpe/reference.json).
 */
const TOKENIZER = `${PYTORCH_HF}bpe/tokenizer.json`;
const TEXT = 'The cat sat on the mat. The dog ran to the tree; the cat sat on the mat again.';

describe('train --tokenizer', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'smallscope-train-tok-')), 'run');

  it('trains over the tokenizer vocabulary and embeds the tokenizer in the manifest', () => {
    const r = smallscope(
      'train',
      '--arch',
      'attn-attn',
      '--task',
      'text',
      '--tokenizer',
      TOKENIZER,
      '--steps',
      '4',
      '--seq-len',
      '16',
      '--batch',
      '4',
      '--d-model',
      '16',
      '--heads',
      '2',
      '--out',
      out,
      '--json',
    );
    expect(r.code).toBe(0);
    const model = decodeModel(new Uint8Array(readFileSync(join(out, 'model.onnx'))));
    expect(model.manifest?.arch.vocab).toBe(457);
    expect(model.manifest?.tokenizer).toEqual({
      type: 'huggingface',
      json: JSON.parse(readFileSync(TOKENIZER, 'utf8')),
    });
    expect(model.manifest?.task).toMatchObject({ tokenizer: expect.stringContaining('BPE (byte-level)') });
  });

  it('the checkpoint alone tokenizes text as the tokenizer file does', () => {
    const expected = JSON.parse(readFileSync(`${PYTORCH_HF}bpe/reference.json`, 'utf8')).text.tokens;
    const r = smallscope('probe', 'attention', join(out, 'model.onnx'), '--text', TEXT, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).tokens).toEqual([expected]);
    const report = JSON.parse(smallscope('inspect', join(out, 'model.onnx'), '--json').stdout);
    expect(report.tokenizer).toMatchObject({ name: 'BPE (byte-level)', source: 'manifest', vocab: 457 });
  });

  it('refuses --tokenizer on a task that is not text, and a file that is not a tokenizer.json, writing nothing', () => {
    const none = join(tmpdir(), `smallscope-never-${process.pid}`);
    expectUsageError(
      smallscope(
        'train',
        '--arch',
        'conv-stack',
        '--task',
        'selcopy',
        '--tokenizer',
        TOKENIZER,
        '--out',
        none,
      ),
      /--tokenizer .* use it with --task text/,
    );
    expectUsageError(
      smallscope(
        'train',
        '--arch',
        'attn-attn',
        '--tokenizer',
        `${PYTORCH_HF}bpe/reference.json`,
        '--out',
        none,
      ),
      /reference.json' is not a tokenizer.json: it has no "model" object/,
    );
    expect(existsSync(none)).toBe(false);
  });

  it('takes gpt2-N by name: GPT-2 cut to its first N merges, built in, embedded whole like a file', () => {
    const run = join(mkdtempSync(join(tmpdir(), 'smallscope-train-gpt2-')), 'run');
    const r = smallscope(
      'train',
      '--arch',
      'conv-attn',
      '--tokenizer',
      'gpt2-4096',
      '--steps',
      '2',
      '--seq-len',
      '16',
      '--batch',
      '2',
      '--d-model',
      '8',
      '--out',
      run,
      '--json',
    );
    expect(r.code).toBe(0);
    const model = decodeModel(new Uint8Array(readFileSync(join(run, 'model.onnx'))));
    expect(model.manifest?.arch.vocab).toBe(256 + 4096);
    expect(model.manifest?.tokenizer).toEqual({
      type: 'huggingface',
      json: JSON.parse(JSON.stringify(gpt2TokenizerJson({ merges: 4096 }))),
    });
    // GPT-2's own ids: ' the' is 262 and ' cat' 3797 in GPT-2, both below 4,352.
    const doc = JSON.parse(
      smallscope('probe', 'attention', join(run, 'model.onnx'), '--text', ' the cat', '--json').stdout,
    );
    expect(doc.tokens).toEqual([[262, 3797]]);
  });

  it("refuses gpt2-N outside GPT-2's 1-50,000 merges on one line, writing nothing", () => {
    const none = join(tmpdir(), `smallscope-never-gpt2-${process.pid}`);
    for (const name of ['gpt2-0', 'gpt2-50001'])
      expectUsageError(
        smallscope('train', '--arch', 'conv-attn', '--tokenizer', name, '--out', none),
        /GPT-2 has merges 1 to 50000/,
      );
    expect(existsSync(none)).toBe(false);
  });
});
