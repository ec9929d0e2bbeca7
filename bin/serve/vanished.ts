import { existsSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';

/**
 * adapter-node serves build/client (and build/prerendered) with sirv, which lists the files once at start-up
 * and later opens them with a read stream that has no error handler: a file removed after start-up (build/
 * rebuilt while serving, a demo checkpoint deleted) ends the whole server with an unhandled ENOENT. This guard
 * answers 404 for a listed file that is gone, and, for a file that goes between that check and sirv's open,
 * closes that one response instead of the process.
 */
export function vanishedFileGuard(buildDir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const roots = ['client', 'prerendered'].map((d) => join(buildDir, d)).filter((d) => existsSync(d));
  const listed = new Map<string, string>();
  for (const root of roots) {
    for (const file of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!file.isFile()) continue;
      const path = join(file.parentPath, file.name);
      const url =
        '/' +
        path
          .slice(root.length + 1)
          .split(sep)
          .join('/');
      if (!listed.has(url)) listed.set(url, path);
    }
  }
  /** true when the request was answered here (404); false hands it on. */
  return (req, res) => {
    // Whatever sirv pipes into this response: an error on its source closes this response only.
    res.on('pipe', (source) =>
      source.once('error', () => {
        if (!res.headersSent) {
          res.statusCode = 404;
          res.end('Not found');
        } else res.destroy();
      }),
    );
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return false; // a malformed escape: the app answers it (400)
    }
    const path = listed.get(pathname);
    if (path === undefined || existsSync(path)) return false;
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain');
    res.end('Not found');
    return true;
  };
}
