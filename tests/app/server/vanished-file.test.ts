import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, get, raw, REPO, serveBuild, type Served } from './serve';

/**
 * A file the server listed at start-up and that is gone when asked for (build/ rebuilt while serving, a demo
 * checkpoint deleted) is a 404 for that request; the server goes on serving everyone else. It used to end the
 * process with an unhandled ENOENT from adapter-node's static file stream.
 */
let build: string;
let server: Served;
let port: number;

beforeAll(async () => {
  await ensureBuilt();
  const root = mkdtempSync(path.join(tmpdir(), 'smallscope-vanish-'));
  // The built server is ES modules (the package's "type") importing from node_modules beside build/.
  writeFileSync(path.join(root, 'package.json'), '{"type": "module"}\n');
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  build = path.join(root, 'build');
  cpSync(path.join(REPO, 'build'), build, { recursive: true });
  server = await serveBuild(build, path.join(REPO, 'static/checkpoints'));
  port = server.port;
});

afterAll(async () => {
  await server?.stop();
  rmSync(path.dirname(build), { recursive: true, force: true });
});

describe('smallscope serve: a served file that vanishes', () => {
  const file = '/fonts/DejaVuSans.ttf';

  it('is served while it exists', async () => {
    expect((await raw(port, get(file))).status).toBe(200);
  });

  it('answers 404 once it is deleted, and keeps serving the page and other files', async () => {
    rmSync(path.join(build, 'client', file));
    const gone = await raw(port, get(file));
    expect(gone.status).toBe(404);
    expect(gone.head).toMatch(/cross-origin-embedder-policy: require-corp/i);
    const page = await raw(port, get('/'));
    expect(page.status, page.body.toString()).toBe(200);
    expect((await raw(port, get('/fonts/DejaVuSans-Bold.ttf'))).status).toBe(200);
    expect((await raw(port, get(file))).status).toBe(404);
    expect(server.child.exitCode).toBeNull();
  });

  it('answers 404 for a deleted demo checkpoint', async () => {
    rmSync(path.join(build, 'client', 'checkpoints', 'attn-attn.onnx'));
    expect((await raw(port, get('/checkpoints/attn-attn.onnx'))).status).toBe(404);
    expect((await raw(port, get('/checkpoints/conv-attn.onnx'))).status).toBe(200);
  });
});
