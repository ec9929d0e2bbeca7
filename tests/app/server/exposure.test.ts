import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGenerated } from '../../fixtures/paths';
import { get, raw, REPO, serve, type Served } from './serve';

/**
 * The server as exposed to a hostile client: it listens on loopback only unless told otherwise, serves only
 * checkpoint files inside its folders, answers malformed requests with 4xx and keeps running, and serves
 * many concurrent requests. There is no upload route (the page reads dropped files in the browser), so
 * there is no upload limit to test; adapter-node's 512 KB body limit applies to any request body.
 */

const SECRET = 'SMALLSCOPE-SECRET-MARKER';
let root: string;
let served: string;
let server: Served;
let model: Buffer;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'smallscope-serve-'));
  served = path.join(root, 'served');
  mkdirSync(path.join(served, 'sub'), { recursive: true });
  copyFileSync(demoGenerated('conv-attn'), path.join(served, 'model.onnx'));
  model = readFileSync(path.join(served, 'model.onnx'));
  writeFileSync(path.join(root, 'secret.onnx'), SECRET);
  writeFileSync(path.join(served, 'sub', 'inner.onnx'), SECRET);
  writeFileSync(path.join(served, '.hidden.onnx'), SECRET);
  writeFileSync(path.join(served, '.model.onnx.tmp-123-abc'), SECRET);
  symlinkSync(path.join(root, 'secret.onnx'), path.join(served, 'link.onnx'));
  server = await serve(['--checkpoints', served]);
});

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('smallscope serve: where it listens', () => {
  it('binds to 127.0.0.1 unless given --host', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it("refuses connections on the machine's other interfaces", async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a!.address);
    for (const address of others) {
      const result = await new Promise<string>((resolve) => {
        const s = connect(server.port, address);
        s.setTimeout(3000, () => (s.destroy(), resolve('timeout')));
        s.once('connect', () => (s.destroy(), resolve('connected')));
        s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      expect(result, address).not.toBe('connected');
    }
  });
});

describe('smallscope serve: only checkpoint files inside its folders', () => {
  it('lists only plain .onnx files in the folder: no dot files, temp files, sub-folders or symlinks out', async () => {
    const res = await fetch(`${server.url}/api/checkpoints`);
    expect(res.status).toBe(200);
    const { checkpoints } = (await res.json()) as { checkpoints: { name: string }[] };
    expect(checkpoints.map((c) => c.name)).toEqual(['model.onnx']);
  });

  it('serves a listed checkpoint byte for byte', async () => {
    const res = await fetch(`${server.url}/api/checkpoints/model.onnx`);
    expect(res.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), model)).toBe(0);
  });

  const attempts = [
    '/api/checkpoints/..%2Fsecret.onnx',
    '/api/checkpoints/%2e%2e%2fsecret.onnx',
    '/api/checkpoints/%2e%2e/secret.onnx',
    '/api/checkpoints/..%252Fsecret.onnx',
    '/api/checkpoints/%252e%252e%252fsecret.onnx',
    '/api/checkpoints/..%5Csecret.onnx',
    '/api/checkpoints/..\\secret.onnx',
    `/api/checkpoints/${encodeURIComponent(path.join(tmpdir(), 'x', '..'))}%2Fsecret.onnx`,
    `/api/checkpoints/${encodeURIComponent('/etc/passwd')}`,
    '/api/checkpoints/link.onnx',
    '/api/checkpoints/.hidden.onnx',
    '/api/checkpoints/.model.onnx.tmp-123-abc',
    '/api/checkpoints/sub%2Finner.onnx',
    '/api/checkpoints/sub/inner.onnx',
    '/api/checkpoints/model.onnx%00.txt',
    '/../secret.onnx',
    '/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2f..%2f..%2fetc%2fpasswd',
    '//etc/passwd',
    '/checkpoints/../../secret.onnx',
    '/api/runs/..%2F..%2Fsecret.onnx',
  ];
  for (const target of attempts) {
    it(`refuses ${target} with a 4xx and none of the file`, async () => {
      const res = await raw(server.port, get(target));
      expect(res.status, res.head).toBeGreaterThanOrEqual(400);
      expect(res.status, res.head).toBeLessThan(500);
      expect(res.body.toString('latin1')).not.toContain(SECRET);
      expect(res.body.toString('latin1')).not.toMatch(/root:.*:0:0:/);
    });
  }
});

describe('smallscope serve: malformed requests get 4xx, and the server keeps running', () => {
  it('answers one byte range as 206 with exactly those bytes', async () => {
    const res = await raw(server.port, get('/api/checkpoints/model.onnx', { Range: 'bytes=10-19' }));
    expect(res.status).toBe(206);
    expect(res.head).toMatch(new RegExp(`content-range: bytes 10-19/${model.length}`, 'i'));
    expect(Buffer.compare(res.body, model.subarray(10, 20))).toBe(0);
  });

  for (const range of [
    'bytes=5-2',
    'bytes=abc',
    'bytes=0-1,3-4',
    'bytes=99999999-',
    'items=0-1',
    'bytes=-0',
    'bytes=-',
  ]) {
    it(`answers Range: ${range} with 416`, async () => {
      const res = await raw(server.port, get('/api/checkpoints/model.onnx', { Range: range }));
      expect(res.status, res.head).toBe(416);
    });
  }

  const malformed: [string, string | Buffer, number[]][] = [
    [
      'an unknown method',
      'BREW /api/checkpoints HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      [400, 405, 501],
    ],
    [
      'DELETE on a checkpoint',
      'DELETE /api/checkpoints/model.onnx HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      [405],
    ],
    [
      'POST with a body (there is no upload route)',
      'POST /api/checkpoints HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello',
      [403, 405],
    ],
    ['a 64 KB header', get('/api/checkpoints', { 'X-Big': 'a'.repeat(65536) }), [431, 400]],
    [
      '10 000 headers',
      `GET / HTTP/1.1\r\nHost: x\r\n${'X-A: b\r\n'.repeat(10000)}Connection: close\r\n\r\n`,
      [431, 400],
    ],
    ['invalid percent-encoding in a checkpoint name', get('/api/checkpoints/%E0%A4%A.onnx'), [400, 404]],
    ['a lone % in the path', get('/%'), [400, 404]],
    ['invalid UTF-8 in the path', get('/api/checkpoints/%FF%FE.onnx'), [400, 404]],
    ['a garbage request line', 'GARBAGE\r\n\r\n', [400]],
    ['a request line with no HTTP version', 'GET /\r\n\r\n', [400]],
    [
      'raw control bytes in the path',
      Buffer.from('GET /\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'),
      [400],
    ],
    ['a bad Content-Length', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n', [400]],
  ];
  for (const [label, request, statuses] of malformed) {
    it(`answers ${label} with ${statuses.join(' or ')}`, async () => {
      const res = await raw(server.port, request);
      expect(statuses, res.head.slice(0, 200)).toContain(res.status);
    });
  }

  it('is still running and serving after all of the above', async () => {
    expect(server.child.exitCode).toBeNull();
    const res = await fetch(`${server.url}/api/checkpoints`);
    expect(res.status).toBe(200);
  });
});

describe('smallscope serve: under load', () => {
  it('serves 200 parallel fetches of the list and the model (loopback) without an error, in under 30 s', async () => {
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const target = i % 2 ? '/api/checkpoints' : '/api/checkpoints/model.onnx';
        try {
          const res = await fetch(`${server.url}${target}`);
          const body = Buffer.from(await res.arrayBuffer());
          if (res.status !== 200) return `${target}: ${res.status}`;
          if (i % 2 === 0 && Buffer.compare(body, model) !== 0) return `${target}: wrong bytes`;
          return 'ok';
        } catch (e) {
          return `${target}: ${(e as Error).message}`;
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(`200 parallel requests in ${seconds.toFixed(1)} s`);
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    expect(seconds).toBeLessThan(30);
    expect(server.child.exitCode).toBeNull();
  });
});
