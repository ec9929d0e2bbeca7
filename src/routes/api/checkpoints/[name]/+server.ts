import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { error } from '@sveltejs/kit';
import { findCheckpoint } from '$lib/server/checkpoints';
import { parseRange } from '$lib/server/range';
import type { RequestHandler } from './$types';

/**
 * The .onnx file itself, for onnxruntime-web in the page. Only plain file names inside the configured folders
 * are served (400 for anything else, 404 when absent or a symlink pointing out of the folder).
 *
 * It lives under /api/ rather than /checkpoints/ because the adapter serves static/ first: the demo files in
 * static/checkpoints would shadow a same-named checkpoint from a --checkpoints folder.
 */
export const GET: RequestHandler = async ({ params, request }) => {
  const found = await findCheckpoint(params.name);
  if (!found.ok) error(found.status, found.message);
  const { file } = found;
  const etag = `"${file.bytes.toString(16)}-${file.modified.getTime().toString(16)}"`;
  // Retraining rewrites a checkpoint in place: always revalidate, but let an unchanged file answer 304.
  const headers = {
    'content-type': 'application/octet-stream',
    'cache-control': 'no-cache',
    etag,
    'last-modified': file.modified.toUTCString(),
  };
  if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const range = parseRange(request.headers.get('range'), file.bytes);
  if (range.kind === 'invalid') {
    return new Response(`unsatisfiable or malformed Range for a ${file.bytes}-byte file`, {
      status: 416,
      headers: { 'content-range': `bytes */${file.bytes}`, 'content-type': 'text/plain' },
    });
  }
  const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, file.bytes - 1];
  const stream = createReadStream(file.path, file.bytes > 0 ? { start, end } : {});
  const body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  const length = file.bytes > 0 ? end - start + 1 : 0;
  return new Response(body, {
    status: range.kind === 'partial' ? 206 : 200,
    headers: {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(length),
      ...(range.kind === 'partial' ? { 'content-range': `bytes ${start}-${end}/${file.bytes}` } : {}),
    },
  });
};
