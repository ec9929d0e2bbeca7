/**
 * Checkpoints dropped into the page: their bytes stay in this browser (IndexedDB), never uploaded. A view
 * names one as `ckpt=local:NAME`, so a reload or a link opened in the same browser finds it again.
 */
const DB = 'smallscope';
const STORE = 'checkpoints';

export interface LocalCheckpoint {
  name: string;
  bytes: Uint8Array;
  added: string;
  /** The tokenizer.json dropped together with the model (its text), if any. */
  tokenizer?: string;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'name' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB is not available'));
  });
}

async function withStore<T>(
  mode: IDBTransactionMode,
  body: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = body(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

/** Kept in memory too: a browser without IndexedDB (private mode) still opens the file in this tab. */
const memory = new Map<string, LocalCheckpoint>();

export async function saveLocal(name: string, bytes: Uint8Array, tokenizer?: string): Promise<void> {
  const entry: LocalCheckpoint = {
    name,
    bytes,
    added: new Date().toISOString(),
    ...(tokenizer !== undefined ? { tokenizer } : {}),
  };
  memory.set(name, entry);
  try {
    await withStore('readwrite', (s) => s.put(entry));
  } catch {
    // memory only
  }
}

export async function loadLocal(name: string): Promise<Uint8Array | null> {
  const hit = memory.get(name);
  if (hit) return hit.bytes;
  try {
    const entry = await withStore<LocalCheckpoint | undefined>('readonly', (s) => s.get(name));
    return entry ? new Uint8Array(entry.bytes) : null;
  } catch {
    return null;
  }
}

export async function loadLocalTokenizer(name: string): Promise<string | null> {
  const hit = memory.get(name);
  if (hit) return hit.tokenizer ?? null;
  try {
    const entry = await withStore<LocalCheckpoint | undefined>('readonly', (s) => s.get(name));
    return entry?.tokenizer ?? null;
  } catch {
    return null;
  }
}

export async function listLocal(): Promise<{ name: string; bytes: number; added: string }[]> {
  let all: LocalCheckpoint[] = [];
  try {
    all = await withStore<LocalCheckpoint[]>('readonly', (s) => s.getAll());
  } catch {
    all = [...memory.values()];
  }
  return all.map((e) => ({ name: e.name, bytes: e.bytes.byteLength, added: e.added }));
}

export async function removeLocal(name: string): Promise<void> {
  memory.delete(name);
  try {
    await withStore('readwrite', (s) => s.delete(name));
  } catch {
    // nothing stored
  }
}
