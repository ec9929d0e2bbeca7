import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryPoint } from '../../format/manifest';
import { attentionPatterns, isCross } from '../../probes/attention';
import { repeatScores } from '../../probes/heads';
import { letterAttention } from '../../probes/scores/letter-attention';
import type { Numbers, Probe } from '../../reproduce/plan';
import { convReport, runPatterns, type Opened } from '../figures/data';
import { countingInput, dursleyInput, lettersInput } from './inputs';

/**
 * A run's numbers for the report: what summary.json and metrics.jsonl hold, and the plan's probes on its
 * checkpoint (the same probe code as `probe heads` and `probe filters`). Fractions stay fractions.
 */

const finite = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

export function history(dir: string): HistoryPoint[] {
  const file = path.join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as HistoryPoint);
}

export function summaryNumbers(dir: string): Numbers {
  const s = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  const points = history(dir).filter((p) => typeof p.val_loss === 'number');
  const steps = finite(s.steps) ?? 0;
  // The evaluation nearest a fifth of the run: how far each model got early on (seed 003's "faster").
  const fifth = points.reduce<HistoryPoint | null>(
    (best, p) => (!best || Math.abs(p.step - steps / 5) < Math.abs(best.step - steps / 5) ? p : best),
    null,
  );
  return {
    val_loss: finite(s.val_loss),
    val_acc: finite(s.val_acc),
    mask_error: finite(s.mask_error),
    sample_error: finite(s.sample_error),
    params: finite(s.params),
    steps,
    batch: finite(s.batch),
    train_time_s: finite(s.train_time_s),
    samples_per_s: finite(s.samples_per_s),
    val_loss_fifth: finite(fifth?.val_loss),
  };
}

/** The plan's probes on one checkpoint: numbers by key, and notes (which head, which input). */
export async function probeNumbers(
  m: Opened,
  probes: Probe[],
): Promise<{ numbers: Numbers; notes: string[] }> {
  const numbers: Numbers = {};
  const notes: string[] = [];
  for (const probe of probes) {
    if (probe === 'induction') {
      const input = lettersInput();
      const heads = (await runPatterns(m, input)).heads;
      const best = heads.reduce((a, h) => ((h.induction ?? -1) > (a.induction ?? -1) ? h : a));
      numbers.induction = best.induction;
      numbers.previous_token = Math.max(...heads.map((h) => h.previous_token));
      notes.push(`${m.label}: best induction head ${best.name} on ${input.describe}`);
    } else if (probe === 'repeat') {
      // Seed 002's own test: its paragraph, whose first sentence comes back at the end.
      const input = dursleyInput(m.session.tokenizer);
      const result = await attentionPatterns(m.session.runner, m.session.taps, input.tokens);
      const repeat = repeatScores(result.patterns, input.tokens);
      const best = repeat?.heads.reduce((a, h) => (h.same_token > a.same_token ? h : a));
      numbers.repeat_same = best?.same_token ?? null;
      numbers.repeat_next = repeat ? Math.max(...repeat.heads.map((h) => h.next_token)) : null;
      notes.push(
        `${m.label}: the repeated sentence's attention on its first copy (best head ${best?.name ?? '-'}) on ${input.describe}`,
      );
    } else if (probe === 'taps') {
      const conv = convReport(m)[0];
      // The raw parameter when the manifest has it (the seed tabulates its weights, masked tap included).
      const raw = conv.raw_taps as
        { offset: number; max: number; min: number; q75: number; q90: number }[] | null;
      for (const t of raw ?? conv.taps)
        for (const k of ['max', 'min', 'q75', 'q90'] as const) numbers[`tap${t.offset}.${k}`] = t[k];
      notes.push(`${m.label}: conv taps from the ${raw ? 'raw parameter (manifest)' : 'graph weights'}`);
    } else {
      const { tokens, letters, describe } = countingInput(m.session.model.manifest?.task);
      const result = await attentionPatterns(m.session.runner, m.session.taps, tokens);
      const tap = result.taps.find(isCross) ?? result.taps[0];
      const rows = letterAttention(result.patterns[tap.name], tokens, letters);
      rows.forEach((r) => {
        numbers[`letter${r.step}`] = r.own;
        numbers[`other${r.step}`] = r.other;
      });
      numbers.letter_argmax = rows.reduce((s, r) => s + r.argmax, 0) / Math.max(1, rows.length);
      notes.push(`${m.label}: letter attention of ${tap.name} over ${describe}`);
    }
  }
  return { numbers, notes };
}
