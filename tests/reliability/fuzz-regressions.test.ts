import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { findAttention } from '../../probes/attention';
import { pruneToOutputs } from '../../probes/onnx/prune';
import { MalformedProtobuf, wireFields } from '../../format/onnx/wire';
import { initBackend } from '../../training/backend';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { demoGenerated } from '../fixtures/paths';
import { exportBytes } from '../helpers/export';
import { mutate } from './mutate';

/**
 * Cases bench/fuzz found, by their seed in its numbering (case i mutates seed model i mod 6 of
 * bench/fuzz/seeds.ts; seed model 0 is the smallscope checkpoint of hostile-onnx.test.ts, built the same way).
 * Each failed once with something other than a result or a one-line UsageError.
 */
let own: Uint8Array = new Uint8Array();
const demo = new Uint8Array(readFileSync(demoGenerated('conv-attn')));

/** What findAttention (the page's loader and every probe start with it) throws on `bytes`. */
function refusal(bytes: Uint8Array): UsageError {
  try {
    findAttention(bytes);
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('accepted');
}

beforeAll(async () => {
  await initBackend();
  const spec = makeSpec('conv-attn', { d_model: 16, n_heads: 2, pos_embed: true, max_seq: 16 });
  const params = initParams(spec, new Rng(3));
  own = new Uint8Array(await exportBytes(spec, params));
  disposeParams(params);
});

describe('bench/fuzz regressions', () => {
  it("case 8478 (a varint of the checkpoint): a protobuf group protobufjs skips; the page's loader runs the model uncut", () => {
    const { kind, bytes } = mutate(own, own, 8478); // a varint mutation reads its base only
    expect(kind).toBe('varint');
    // protobufjs decodes it and finds the attention; the wire walk of its graph meets wire type 3 (a group)
    const found = findAttention(bytes);
    expect(found.taps.map((t) => t.name)).toEqual(['blocks.0.attn.hook_pattern']);
    const graph = wireFields(bytes).find((f) => f.field === 7)!;
    expect(() => wireFields(bytes, graph.bodyStart, graph.bodyEnd)).toThrow(MalformedProtobuf);
    expect(() => wireFields(bytes, graph.bodyStart, graph.bodyEnd)).toThrow(
      /^malformed protobuf: wire type 3 at byte 2092$/,
    );
    // it threw a plain Error out of the page's loader; now the page runs the file as it is
    expect(
      pruneToOutputs(
        found.model,
        found.taps.map((t) => t.tensor),
      ),
    ).toBeNull();
  });

  // Both mutate a length varint so that a tensor name swallows the protobuf bytes after it, newlines included;
  // the graph-structure refusal quoted the name raw and the one-line message became several.
  it('case 10033 (a varint of the demo conv-attn.onnx): a Div reading a name with a newline is refused on one line', () => {
    const { kind, bytes } = mutate(demo, demo, 10033);
    expect(kind).toBe('varint');
    const e = refusal(bytes);
    expect(e.message).toBe(
      "node 'Div_18' (Div) reads tensor 'sqrt_d_head\\x12\\nD', which no graph input, initializer or earlier node produces: refused",
    );
  });

  it('case 13878 (a varint of the checkpoint): a graph output whose name holds protobuf bytes is refused on one line', () => {
    const { kind, bytes } = mutate(own, own, 13878);
    expect(kind).toBe('varint');
    const e = refusal(bytes);
    expect(e.message).toMatch(/^graph output '.*' is produced by no node, input or initializer: refused$/);
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
    expect(e.message).toContain('\\x08\\x01\\x12\\x15\\n\\x07');
  });
});
