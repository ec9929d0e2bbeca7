import { readLibrary } from '$lib/server/library';
import { repeatedLetters } from '$lib/inspect/presets';
import { index } from '$lib/inspect/url-state';
import { ATTENTION_VIEWS, type AttentionView } from '$lib/field/views';
import type { PageServerLoad } from './$types';

/**
 * Checkpoint names and the view state: ckpt, text (default: 16 random letters typed twice), pos, attn (which
 * profiles a model with attention shows: both, with, without).
 */
export const load: PageServerLoad = async ({ url }) => {
  const library = await readLibrary();
  const q = url.searchParams;
  const withConv =
    library.checkpoints.find((c) => c.manifest?.arch === 'conv-attn') ?? library.checkpoints[0];
  return {
    checkpoints: library.checkpoints.map((c) => c.name),
    ckpt: q.get('ckpt') || (withConv?.name ?? ''),
    text: q.get('text') || repeatedLetters(16),
    pos: q.has('pos') ? index(q.get('pos'), -1) : -1,
    attn: (ATTENTION_VIEWS as readonly string[]).includes(q.get('attn') ?? '')
      ? (q.get('attn') as AttentionView)
      : 'both',
  };
};
