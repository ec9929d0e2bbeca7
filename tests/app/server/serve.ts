import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Helpers for the server tests: they talk to the production server (`smallscope serve`, which wraps the built
 * SvelteKit app), so build/ must exist. `npm test` builds before the unit tests; a bare `npx vitest run` on a
 * checkout without build/ builds it here once (a lock folder keeps parallel test files from building twice).
 */
export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const HANDLER = path.join(REPO, 'build/handler.js');

export async function ensureBuilt(): Promise<void> {
  if (existsSync(HANDLER)) return;
  const lock = path.join(REPO, 'node_modules/.cache/smallscope-build.lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  let mine = false;
  try {
    mkdirSync(lock);
    mine = true;
  } catch {
    // another test file is building: wait for it
  }
  if (mine) {
    try {
      const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
  const deadline = Date.now() + 300_000;
  while (!existsSync(HANDLER) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  if (!existsSync(HANDLER)) throw new Error('build/ did not appear within 5 minutes');
}

export interface Served {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** `node bin/smallscope.js serve --port 0 ...args`; resolves with the URL it prints. */
export async function serve(args: string[]): Promise<Served> {
  await ensureBuilt();
  return served([path.join(REPO, 'bin/smallscope.js'), 'serve', '--port', '0', ...args]);
}

/** The production server over a copy of build/ at `buildDir` (tests that delete served files). */
export async function serveBuild(buildDir: string, checkpoints: string): Promise<Served> {
  const script = path.join(REPO, 'tests/app/server/serve-build.ts');
  return served(['--import', 'tsx', script, buildDir, checkpoints]);
}

async function served(argv: string[]): Promise<Served> {
  const child = spawn(process.execPath, argv, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`smallscope serve printed no URL in 30 s:\n${out}`)),
      30_000,
    );
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/\S+:\d+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`smallscope serve exited with code ${code}:\n${out}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface RawResponse {
  status: number;
  head: string;
  body: Buffer;
}

/**
 * Send bytes exactly as given (fetch and http.request normalise `..` and refuse odd paths, which is what
 * these tests must not have done for them) and read until the server closes the connection.
 */
export function raw(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in ${timeoutMs} ms to ${String(request).slice(0, 80)}`));
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {}); // a reset after the answer still leaves the answer
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split < 0 ? all.length : split).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: split < 0 ? Buffer.alloc(0) : all.subarray(split + 4) });
    });
    socket.write(request);
  });
}

/** A GET request line with `Connection: close`, the path sent verbatim. */
export const get = (target: string, headers: Record<string, string> = {}) =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
