import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../../format/onnx/model';
import { modelTokenizer } from '../../../bin/model/tokenizer-files';
import { dursleyInput } from '../../../bin/reproduce/inputs';
import { DURSLEY_PARAGRAPH } from '../../../probes/inputs/dursley';
import { gpt2TokenizerJson } from '../../../training/tasks/gpt2-merges';
import { tokenizerFromJson } from '../../../format/tokenizer/huggingface';
import { demoGenerated } from '../../fixtures/paths';

/**
 * The seed's paragraph as `reproduce` probes and draws it: in the checkpoint's own tokens. A subword model fed
 * the paragraph's bytes would read 382 ids that mean other pieces.
 */
describe("reproduce's Dursley input", () => {
  it('is the bytes of the paragraph for a byte-level checkpoint', () => {
    const path = demoGenerated('conv-attn');
    const tok = modelTokenizer(path, decodeModel(new Uint8Array(readFileSync(path))), {});
    expect(dursleyInput(tok).tokens).toEqual([Array.from(new TextEncoder().encode(DURSLEY_PARAGRAPH))]);
    expect(dursleyInput(null).tokens[0]).toHaveLength(382);
  });

  it("is the tokenizer's ids for a checkpoint trained over GPT-2's first 4,096 merges: 111 tokens", () => {
    const tok = tokenizerFromJson(gpt2TokenizerJson({ merges: 4096 }), 'gpt2-4096', 'manifest');
    const input = dursleyInput(tok);
    expect(input.tokens).toEqual([tok.encode(DURSLEY_PARAGRAPH, false)]);
    expect(input.tokens[0]).toHaveLength(111);
    expect(input.describe).toMatch(/\(111 tokens\) of its BPE \(byte-level\) tokenizer/);
  });
});
