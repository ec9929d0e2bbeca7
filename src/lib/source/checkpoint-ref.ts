import { loadLocal, loadLocalTokenizer } from './local-store';

/**
 * How a view names a checkpoint in its URL: a file the server lists (`conv-attn.onnx`), or a file dropped
 * into this browser (`local:NAME`, bytes in IndexedDB; see local-store.ts).
 */
export const LOCAL_PREFIX = 'local:';

export const isLocal = (ckpt: string): boolean => ckpt.startsWith(LOCAL_PREFIX);

/** The name to show: the file name without the `local:` prefix. */
export const displayName = (ckpt: string): string => (isLocal(ckpt) ? ckpt.slice(LOCAL_PREFIX.length) : ckpt);

/** The .onnx bytes of a checkpoint: fetched from the server, or read from this browser's store. */
export async function loadCheckpointBytes(ckpt: string): Promise<Uint8Array> {
  if (isLocal(ckpt)) {
    const bytes = await loadLocal(displayName(ckpt));
    if (!bytes) {
      throw new Error(
        `${displayName(ckpt)} is not stored in this browser: drop the file on the library page again`,
      );
    }
    return bytes;
  }
  const res = await fetch(`/api/checkpoints/${encodeURIComponent(ckpt)}`);
  if (!res.ok) throw new Error(`could not fetch ${ckpt}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * The tokenizer.json that goes with a checkpoint, as text, or null: the one dropped together with a local
 * file, or the one the server finds beside a served model (`/api/checkpoints/NAME/tokenizer`, 404 when none).
 */
export async function loadCheckpointTokenizer(ckpt: string): Promise<string | null> {
  if (isLocal(ckpt)) return loadLocalTokenizer(displayName(ckpt));
  const res = await fetch(`/api/checkpoints/${encodeURIComponent(ckpt)}/tokenizer`);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`could not fetch the tokenizer of ${ckpt}: HTTP ${res.status}`);
  return res.text();
}
