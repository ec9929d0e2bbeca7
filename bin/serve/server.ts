import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { delimiter } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../../format/errors';
import { vanishedFileGuard } from './vanished';

/**
 * Cross-origin isolation for every response, including the /_app/immutable chunks, static files and the ORT
 * runtime under /ort/: onnxruntime-web starts its threads as workers, and a worker script without these
 * headers is blocked silently, so the page hangs instead of failing (STACK_NOTES §1.6). adapter-node's own
 * server cannot add headers to the files it serves from build/client, hence this wrapper.
 */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface ServeOptions {
  /** Folders with .onnx checkpoints, searched in order. */
  checkpoints: string[];
  host: string;
  port: number;
  /** The built app (`npm run build` writes build/). */
  buildDir?: string;
}

const defaultBuildDir = fileURLToPath(new URL('../../build/', import.meta.url));

/** Start the app; resolves with the listening server once it accepts connections. */
export async function startServer(opts: ServeOptions): Promise<Server> {
  const buildDir = opts.buildDir ?? defaultBuildDir;
  const handlerPath = `${buildDir.replace(/\/$/, '')}/handler.js`;
  if (!existsSync(handlerPath)) {
    throw new UsageError(`the web app is not built (no ${handlerPath}): run \`npm run build\` first`);
  }
  // The SvelteKit routes read the folders from the environment (see src/lib/server/checkpoints.ts); set it
  // before the handler module loads, as adapter-node snapshots process.env when it starts the app.
  process.env.SMALLSCOPE_CHECKPOINTS = opts.checkpoints.join(delimiter);
  const { handler } = (await import(pathToFileURL(handlerPath).href)) as { handler: Handler };

  const answeredMissing = vanishedFileGuard(buildDir);
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    if (answeredMissing(req, res)) return;
    handler(req, res, () => {
      res.statusCode = 404;
      res.end('Not found');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new UsageError(`port ${opts.port} is in use: pass another with --port`));
      else if (err.code === 'EACCES')
        reject(new UsageError(`no permission to listen on port ${opts.port}: use --port above 1023`));
      else reject(err);
    });
    server.listen(opts.port, opts.host, () => resolve());
  });
  return server;
}
