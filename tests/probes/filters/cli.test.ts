import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyModel } from '../../helpers/onnx-builder';
import { expectUsageError, PYTORCH_MODEL, smallscope } from '../../helpers/cli';

const REF = JSON.parse(readFileSync(PYTORCH_MODEL.replace('conv_attn.plain.onnx', 'reference.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'smallscope-filters-'));

describe('smallscope probe filters on the PyTorch Conv-Attn export', () => {
  const r = smallscope('probe', 'filters', PYTORCH_MODEL, '--json');
  const doc = r.code === 0 ? JSON.parse(r.stdout) : null;

  it('finds one conv whose taps read offsets -1, 0, +1, and the future tap is exactly 0 (S0)', () => {
    expect(r.code).toBe(0);
    expect(doc.convs).toHaveLength(1);
    const c = doc.convs[0];
    expect(c.offsets).toEqual([-1, 0, 1]);
    expect(c.causal).toBe(true);
    expect(c.weight_dims).toEqual([64, 64, 3]);
  });

  it('reports per-tap max/min/q75/q90/mean/std within 1e-6 of reference.json effective_masked (S1)', () => {
    const names = { [-1]: 'prev', 0: 'current', 1: 'future' } as Record<number, string>;
    for (const tap of doc.convs[0].taps) {
      const ref = REF.conv_stats.effective_masked[names[tap.offset]];
      for (const k of ['max', 'min', 'q75', 'q90', 'mean', 'mean_abs'])
        expect(Math.abs(tap[k] - ref[k])).toBeLessThan(1e-6);
      expect(Math.abs(tap.std - ref.std_unbiased)).toBeLessThan(1e-6);
    }
  });

  it('reports per-output-channel prev/cur ratios within 1e-5 relative of the reference (S2)', () => {
    const ref: number[] = REF.conv_stats.prev_over_current_l2_ratio.per_output_channel;
    const rho: number[] = doc.convs[0].channel_ratios.rho;
    expect(rho).toHaveLength(64);
    rho.forEach((x, o) => expect(Math.abs(x - ref[o]) / ref[o]).toBeLessThan(1e-5));
    expect(doc.convs[0].channel_ratios.null_sd_log).toBeCloseTo(0.6325 / 8, 12);
  });

  it('finds the Q/K MatMuls on the conv output and reports key- and query-space prev shares (S3/S4) and S6/S7', () => {
    const [a] = doc.convs[0].attention;
    expect(a).toMatchObject({ pattern: 'blocks.0.attn.hook_pattern', head: 0, d_head: 64 });
    // the trained induction head reads the previous token through its keys, the current one through its queries
    expect(a.key_prev_share).toBeGreaterThan(0.5);
    expect(a.query_prev_share).toBeLessThan(0.5);
    const shareFromNorms = a.key_norms.prev ** 2 / (a.key_norms.prev ** 2 + a.key_norms.cur ** 2);
    expect(a.key_prev_share).toBeCloseTo(shareFromNorms, 12);
    expect(a.smear.sigma).toBeCloseTo(1 / (1 + a.smear.s), 12);
    expect(a.prefix_qk.eig_ratio).toBeGreaterThan(0);
    expect(a.prefix_qk.top1_diag).toBeGreaterThan(a.dup_qk.top1_diag);
  });
});

describe('smallscope probe filters: bad input', () => {
  it("refuses a graph without a convolution: 'no convolution found', exit 2, one line", () => {
    const path = join(scratch, 'noconv.onnx');
    writeFileSync(path, tinyModel());
    expectUsageError(smallscope('probe', 'filters', path, '--json'), /no convolution found/);
  });
});
