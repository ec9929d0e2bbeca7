import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTORCH } from '../fixtures/paths';
import { createNodeRunner } from '../../runtime/node/ort-node';
import { attentionPatterns, findAttention, type AttentionDiscovery } from '../../probes/attention';
import { choosePeriod, headScores } from '../../probes/heads';
import { futureMass, headMatrix, rowSumError } from '../../probes/pattern';
import type { Runner } from '../../probes/runner';

/**
 * Parity with PyTorch on the exported Conv-Attn model of tests/fixtures/pytorch (reference values computed in
 * PyTorch 1.13; tolerances from its README: attention 1e-4 abs, head scores 1e-5 abs).
 */
const root = PYTORCH;
const json = (path: string) => JSON.parse(readFileSync(`${root}${path}`, 'utf8'));
const ref = json('conv_attn/reference.json');
const inputs = json('probe_inputs.json');
const PATTERN = 'blocks.0.attn.hook_pattern';

for (const file of ['conv_attn.plain.onnx', 'conv_attn.onnx']) {
  describe(`PyTorch Conv-Attn export ${file}`, () => {
    let found: AttentionDiscovery;
    let runner: Runner;
    beforeAll(async () => {
      found = findAttention(new Uint8Array(readFileSync(`${root}conv_attn/${file}`)));
      runner = await createNodeRunner(found.model, found.bytes);
    });
    afterAll(async () => runner?.dispose?.());

    it('finds the one attention as the internal Softmax, without using tensor names', () => {
      expect(found.taps.map((t) => [t.name, t.tensor])).toEqual([[PATTERN, '/m/Softmax_output_0']]);
    });

    for (const probe of ['a_paragraph', 'b_repeated_letters', 'c_no_repeat']) {
      it(`matches PyTorch attention within 1e-4 on ${probe}, causal and normalised`, async () => {
        const tokens: number[] = inputs[probe].tokens;
        const { patterns } = await attentionPatterns(runner, found.taps, [tokens]);
        const p = patterns[PATTERN];
        const T = tokens.length;
        expect(p.dims).toEqual([1, 1, T, T]);
        const expected: number[][] = ref.probes[probe].attention['attn.0'][0];
        const A = headMatrix(p, 0, 0);
        let worst = 0;
        for (let q = 0; q < T; q++)
          for (let k = 0; k < T; k++) worst = Math.max(worst, Math.abs(A[q * T + k] - expected[q][k]));
        expect(worst).toBeLessThan(1e-4);
        expect(futureMass(A, T)).toBe(0);
        expect(rowSumError(A, T)).toBeLessThan(1e-5);
      });
    }

    it('scores induction 0.9798 on the letters batch (reference 0.9798221144825221, per sequence within 1e-5)', async () => {
      const tokens: number[][] = inputs.induction_batch_letters.tokens;
      const { patterns } = await attentionPatterns(runner, found.taps, tokens);
      const { period } = choosePeriod(tokens, null);
      expect(period).toMatchObject({ n: 20, start: 0 });
      const [head] = headScores(patterns, tokens, period);
      expect(Math.abs(head.induction! - 0.9798)).toBeLessThan(1e-4);
      expect(Math.abs(head.induction! - ref.induction.letters.score['attn.0'][0])).toBeLessThan(1e-5);
      expect(Math.abs(head.previous_token - 0.02032872842881874)).toBeLessThan(1e-5);
      ref.induction.letters.score_per_sequence['attn.0'].forEach((s: number, b: number) => {
        const [row] = headScores(
          { [PATTERN]: { dims: [1, 1, 40, 40], data: headMatrix(patterns[PATTERN], b, 0) } },
          [tokens[b]],
          period,
        );
        expect(Math.abs(row.induction! - s)).toBeLessThan(1e-5);
      });
    });

    it('scores induction 0.4639 on the bytes batch (bytes never seen in training)', async () => {
      const tokens: number[][] = inputs.induction_batch_bytes.tokens;
      const { patterns } = await attentionPatterns(runner, found.taps, tokens);
      const [head] = headScores(patterns, tokens, choosePeriod(tokens, null).period);
      expect(Math.abs(head.induction! - 0.4639)).toBeLessThan(1e-4);
      expect(Math.abs(head.induction! - ref.induction.bytes.score['attn.0'][0])).toBeLessThan(1e-5);
      expect(Math.abs(head.previous_token - ref.previous_token.bytes['attn.0'][0])).toBeLessThan(1e-5);
    });

    it('scores induction 0.9824 on probe b (one row of 20 letters repeated, period detected)', async () => {
      const tokens: number[][] = [inputs.b_repeated_letters.tokens];
      const { patterns } = await attentionPatterns(runner, found.taps, tokens);
      const [head] = headScores(patterns, tokens, choosePeriod(tokens, null).period);
      expect(Math.abs(head.induction! - ref.induction.probe_b['attn.0'][0])).toBeLessThan(1e-5);
    });

    if (file === 'conv_attn.onnx') {
      it('agrees with the explicit attn.0 output, which it reports as an alias of the Softmax', async () => {
        expect(found.taps[0].aliases).toEqual(['attn.0']);
        const tokens = [inputs.b_repeated_letters.tokens];
        const { patterns } = await attentionPatterns(runner, found.taps, tokens);
        const explicit = (await runner.run(tokens, ['attn.0']))['attn.0'];
        expect(explicit.dims).toEqual(patterns[PATTERN].dims);
        expect(explicit.data).toEqual(patterns[PATTERN].data);
      });
    }
  });
}
