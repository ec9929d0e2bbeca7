import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { delimiter, join, resolve, sep } from 'node:path';
import { env } from '$env/dynamic/private';

/**
 * The folders the app serves checkpoints from. `smallscope serve --checkpoints A --checkpoints B` passes them
 * in SMALLSCOPE_CHECKPOINTS (joined with the platform's path delimiter); `vite dev` without it uses the demo
 * checkpoints in static/checkpoints.
 */
export function checkpointDirs(): string[] {
  const raw = env.SMALLSCOPE_CHECKPOINTS;
  const dirs = raw ? raw.split(delimiter).filter((d) => d.length > 0) : ['static/checkpoints'];
  return [...new Set(dirs.map((d) => resolve(d)))];
}

/** A checkpoint name is a plain file name: no folders, so a URL can never point outside the folders. */
export const CHECKPOINT_NAME_RE = /^[\w.-]+\.onnx$/;

export interface CheckpointFile {
  name: string;
  path: string;
  bytes: number;
  modified: Date;
}

/**
 * Every .onnx file directly inside the configured folders. A name found in two folders is listed once, from
 * the first folder given, so a name always means one file. Missing folders are skipped (the library page
 * shows which folders it searched).
 */
export async function listCheckpointFiles(): Promise<CheckpointFile[]> {
  const seen = new Map<string, CheckpointFile>();
  for (const dir of checkpointDirs()) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      // Dot files (a writer's `.model.onnx.tmp-*` never matches anyway) are not listed, as findCheckpoint
      // refuses them.
      if (!CHECKPOINT_NAME_RE.test(name) || name.startsWith('.') || seen.has(name)) continue;
      const file = await resolveInside(dir, name);
      if (file) seen.set(name, file);
    }
  }
  return [...seen.values()];
}

export type Lookup = { ok: true; file: CheckpointFile } | { ok: false; status: 400 | 404; message: string };

/** Find a checkpoint by name: 400 for a name that is not a plain .onnx file name, 404 when no folder has it. */
export async function findCheckpoint(name: string): Promise<Lookup> {
  if (!CHECKPOINT_NAME_RE.test(name) || name.startsWith('.')) {
    return {
      ok: false,
      status: 400,
      message: `bad checkpoint name '${name}': expected a file name like model.onnx`,
    };
  }
  for (const dir of checkpointDirs()) {
    const file = await resolveInside(dir, name);
    if (file) return { ok: true, file };
  }
  return { ok: false, status: 404, message: `no checkpoint named '${name}' in the served folders` };
}

/**
 * The file `name` in `dir`, if it is a regular file whose real path (after symlinks) is still inside `dir`:
 * a symlink in a checkpoint folder pointing elsewhere on the disk is not served.
 */
async function resolveInside(dir: string, name: string): Promise<CheckpointFile | null> {
  const path = join(dir, name);
  try {
    const [realDir, realFile] = await Promise.all([realpath(dir), realpath(path)]);
    if (!realFile.startsWith(realDir + sep)) return null;
    const link = await lstat(path);
    const info = link.isSymbolicLink() ? await stat(realFile) : link;
    if (!info.isFile()) return null;
    return { name, path: realFile, bytes: info.size, modified: info.mtime };
  } catch {
    return null;
  }
}
