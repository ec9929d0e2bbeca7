import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findAttention } from '../../probes/attention';
import { filtersReport } from '../../probes/filters/conv-report';
import { attentionWeights } from '../../probes/onnx/attention-weights';
import { decodeModel } from '../../format/onnx/model';
import { initBackend } from '../../training/backend';
import { disposeParams, initParams } from '../../training/models/params';
import { makeSpec } from '../../training/models/spec';
import { Rng } from '../../training/random';
import { smallscope } from '../helpers/cli';
import { exportBytes } from '../helpers/export';
import { mutate } from './mutate';

/**
 * Fuzz case 12964 of hostile-onnx.test.ts (issue #21): a `combo` mutation of the smallscope checkpoint whose
 * attention Reshape constant asks for [0, 0, 19791209299970, 8]: 19.8 trillion heads of a 16-column W_Q.
 * `probe filters` read that as the head count and looped over it (stopped after 40 s); attention, heads and
 * field exited 1 with ONNX Runtime's raw "cannot be reshaped" and its coloured log line.
 */
const HEADS = 19791209299970;
const REPO = fileURLToPath(new URL('../..', import.meta.url));
let file = '';
let bytes: Uint8Array = new Uint8Array();

beforeAll(async () => {
  // The fuzz test's first seed, built the same way (tests/reliability/hostile-onnx.test.ts).
  await initBackend();
  const spec = makeSpec('conv-attn', { d_model: 16, n_heads: 2, pos_embed: true, max_seq: 16 });
  const params = initParams(spec, new Rng(3));
  const own = new Uint8Array(await exportBytes(spec, params));
  disposeParams(params);
  const m = mutate(own, own, 12964);
  expect(m.kind).toBe('combo');
  bytes = m.bytes;
  file = join(mkdtempSync(join(tmpdir(), 'smallscope-12964-')), 'case12964.onnx');
  writeFileSync(file, bytes);
});

describe('fuzz case 12964 (a Reshape asking for 19,791,209,299,970 heads)', () => {
  it('is the 44,734-byte file of the report', () => {
    expect(bytes.length).toBe(44734);
  });

  it('attentionWeights refuses the head count against W_Q [16, 16], reading the exact int64', () => {
    const model = decodeModel(bytes);
    const aw = attentionWeights(model, findAttention(model).taps[0]);
    expect(aw).toEqual({
      error: `a Reshape into ${HEADS} heads cannot split the 16 columns of W_Q: the graph's shapes do not agree`,
      mismatch: true,
    });
  });

  it('the filters report ends at once (under 2 s of CPU) and says why S3-S7 are left out', () => {
    const model = decodeModel(bytes);
    const t0 = process.cpuUsage();
    const report = filtersReport(model, findAttention(model).taps);
    const cpu = process.cpuUsage(t0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(2000);
    expect(report.convs).toHaveLength(1);
    expect(report.convs[0].attention).toEqual([]);
    expect(report.convs[0].notes).toContain(
      `blocks.0.attn.hook_pattern: a Reshape into ${HEADS} heads cannot split the 16 columns of W_Q: the graph's shapes do not agree`,
    );
  });

  it('smallscope probe filters prints its report with that note and exits 0 (it ran past 40 s)', () => {
    // Killed at 60 s of wall time (a whole Node start included, on a shared machine): before the fix it would
    // loop over 19.8 trillion heads, so it never ended; the in-process report above is bounded by CPU time.
    const r = spawnSync(process.execPath, ['bin/smallscope.js', 'probe', 'filters', file], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect([r.signal, r.status, r.stderr]).toEqual([null, 0, '']);
    expect(r.stdout).toContain(
      `note: blocks.0.attn.hook_pattern: a Reshape into ${HEADS} heads cannot split`,
    );
  });

  it('probe attention, heads and field: exit 2, one line naming Reshape_14 and both shapes, no ORT log', () => {
    const line = (lead: number) =>
      `smallscope: ONNX Runtime failed in Reshape node 'Reshape_14': it asks to reshape [${lead},5,16] ` +
      `(${lead * 80} values) into [${lead},5,${HEADS},8], which cannot hold them: the model's shape constant does not fit its tensors\n`;
    for (const probe of ['attention', 'heads']) {
      const r = smallscope('probe', probe, file, '--text', 'hello');
      expect([r.code, r.stdout, r.stderr]).toEqual([2, '', line(1)]);
    }
    // field perturbs every position of every embedding dimension in one batch: 2 x 5 x 16 = 160 rows
    const r = smallscope('probe', 'field', file, '--text', 'hello', '--method', 'fd');
    expect([r.code, r.stderr]).toEqual([2, line(160)]);
  });
});
