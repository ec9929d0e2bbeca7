import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../format/errors';
import { writeFileAtomic } from '../../training/export/atomic';

/** Where a figure goes: the format from the extension, and a folder we can write, checked before any work. */
export function outputFormat(file: string): 'svg' | 'png' {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.svg') return 'svg';
  if (ext === '.png') return 'png';
  throw new UsageError(`--out '${file}' must end in .svg or .png`);
}

export function checkWritableDir(dir: string, flag = '--out'): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`${flag}: folder '${dir}' does not exist; create it first`);
  }
  if (!st.isDirectory()) throw new UsageError(`${flag}: '${dir}' is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag}: folder '${dir}' is not writable`);
  }
}

export function checkWritableFile(file: string): void {
  checkWritableDir(path.dirname(path.resolve(file)));
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`--out '${file}' is a folder; give a file name`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
  }
}

/** Replace `file` only once the new content is complete (temp file + rename in the same folder). */
export function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileAtomic(file, data);
}
