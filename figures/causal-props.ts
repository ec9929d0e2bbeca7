import type { AblationResult } from '../probes/causal/ablate';
import type { PatchResult } from '../probes/causal/patch';
import type { Input, Meta, Source } from './props';

/**
 * Props of the causal figures (components/HeadEffects.svelte) from the probes' results, for `smallscope figure
 * ablation|patching` and the inspect page's downloads alike: the same numbers, captions and scales.
 */

/** Per-head numbers laid out [layer][head]; null where a layer or head was not measured. */
export function byLayer(
  heads: readonly { layer: number; head: number }[],
  value: (i: number) => number | null,
) {
  const layers = Math.max(0, ...heads.map((h) => h.layer + 1));
  const table: (number | null)[][] = Array.from({ length: layers }, () => []);
  heads.forEach((h, i) => (table[h.layer][h.head] = value(i)));
  return table.map((row) => Array.from(row, (v) => v ?? null));
}

const span = (table: (number | null)[][], floor: number) =>
  Math.max(floor, ...table.flat().map((v) => (v === null ? 0 : Math.abs(v))));

export function ablationProps(m: Source, r: AblationResult, input: Input, meta: Partial<Meta>) {
  const values = byLayer(r.heads, (i) => r.heads[i].loss_delta);
  const z = r.heads.some((h) => h.site === 'pattern') ? 'z (the pattern where z is not separable)' : 'z';
  return {
    meta: {
      id: meta.id ?? 'ablation',
      title: meta.title ?? 'Loss change when each head is ablated',
      caption: `${m.label}; ${input.describe}; ${r.mode} ablation of each head's ${z}, one head at a time; mean next-token loss ${r.loss.baseline.toFixed(3)} nats unablated; cell = ablated − unablated loss (nats).`,
      width: meta.width ?? 'single',
    },
    values,
    label: 'loss change (nats)',
    max: span(values, 0.01),
  };
}

export function patchingProps(
  m: Source,
  r: PatchResult,
  input: Input,
  corrupt: string,
  label: (id: number) => string,
  meta: Partial<Meta>,
) {
  return {
    meta: {
      id: meta.id ?? 'patching',
      title: meta.title ?? 'Logit difference recovered by patching each head',
      caption: `${m.label}; clean: ${input.describe}; corrupt: ${corrupt}; each head's z (all positions) from the clean run patched into the corrupt run; cell = (patched − corrupt) / (clean − corrupt) of logit[${JSON.stringify(label(r.answer))}] − logit[${JSON.stringify(label(r.wrong))}] at the last position (clean ${r.logit_diff.clean.toFixed(3)}, corrupt ${r.logit_diff.corrupt.toFixed(3)}).`,
      width: meta.width ?? 'single',
    },
    values: r.table.map((row) => row.map((v) => v ?? null)),
    label: 'share recovered',
    max: span(r.table, 1),
  };
}

/**
 * The default corrupted input of a patching figure: the clean tokens with the last one changed (to the next id,
 * wrapping), so the clean and corrupt runs differ in one token and the table shows which heads carry it.
 */
export function corruptLast(tokens: readonly number[][], vocab: number): number[][] {
  return tokens.map((row) => row.map((t, i) => (i === row.length - 1 ? (t + 1) % vocab : t)));
}
