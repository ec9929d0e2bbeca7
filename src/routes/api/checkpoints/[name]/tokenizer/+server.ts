import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { error } from '@sveltejs/kit';
import { findCheckpoint } from '$lib/server/checkpoints';
import type { RequestHandler } from './$types';

/**
 * The tokenizer.json beside a served checkpoint (in the same folder), for the page to tokenize text as the
 * command line does (format/tokenizer/resolve.ts). 404 when the folder has none; like the model itself, a
 * symlink resolving outside the folder is not served.
 */
export const GET: RequestHandler = async ({ params }) => {
  const found = await findCheckpoint(params.name);
  if (!found.ok) error(found.status, found.message);
  const dir = dirname(found.file.path);
  const path = join(dir, 'tokenizer.json');
  try {
    const [realDir, real] = await Promise.all([realpath(dir), realpath(path)]);
    if (!real.startsWith(realDir + sep) || !(await stat(real)).isFile()) throw new Error('outside');
  } catch {
    error(404, `no tokenizer.json beside ${params.name}`);
  }
  return new Response(await readFile(path), {
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
  });
};
