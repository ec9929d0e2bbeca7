import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Replace `file` with `data` so that a reader sees either the old file or the complete new one, never a torn
 * write: write a temp file in the same folder (rename is only atomic within one file system), fsync it, rename
 * it over the target, then fsync the folder so the rename itself survives a crash. On any failure the temp
 * file is removed and the previous file is left untouched.
 *
 * `io` is the seam tests use to make a write fail part-way.
 */
export interface AtomicIo {
  writeSync: typeof writeSync;
}

const defaultIo: AtomicIo = { writeSync };

export function tempPathFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${Date.now().toString(36)}`,
  );
}

export function writeFileAtomic(file: string, data: Uint8Array | string, io: AtomicIo = defaultIo): void {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    // Write in chunks so a large checkpoint never needs one huge syscall, and a failure can happen mid-file.
    const CHUNK = 1 << 20;
    for (let off = 0; off < bytes.length;) {
      const n = io.writeSync(fd, bytes, off, Math.min(CHUNK, bytes.length - off));
      if (n <= 0) throw new Error(`short write to ${tmp}`);
      off += n;
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(path.dirname(file));
}

/** fsync a folder, so renames in it survive a crash (a no-op where the file system refuses). */
export function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename has still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
