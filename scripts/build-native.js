#!/usr/bin/env node
// Builds native/gemm (the optional C++ matmul addon used for training, training/kernels/native.ts) with
// node-gyp at `npm install` / `npm ci`. Offline-safe: node-gyp gets the Node headers from the installed Node
// (--nodedir) instead of downloading them. Never fails the install: without a compiler, or on a platform the
// addon does not build on, training runs on the tfjs wasm backend alone and `smallscope train` says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'native', 'gemm');

if (process.env.SMALLSCOPE_SKIP_NATIVE === '1') {
  console.log('smallscope: SMALLSCOPE_SKIP_NATIVE=1, native matmul not built');
  process.exit(0);
}

/** node-gyp: the copy npm runs lifecycle scripts with, else the one bundled with npm beside this node. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  try {
    const npmCli = createRequire(import.meta.url).resolve('npm/package.json');
    candidates.push(path.join(path.dirname(npmCli), 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  } catch {
    // npm is not resolvable as a package here: the other candidates remain
  }
  return candidates.find((c) => c && existsSync(c));
}

/** The Node headers of the running node (Debian: /usr/include/node; official builds: <prefix>/include/node). */
function nodeDir() {
  for (const prefix of [
    process.env.npm_config_nodedir,
    path.resolve(path.dirname(process.execPath), '..'),
    '/usr',
  ])
    if (prefix && existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return undefined;
}

const gyp = nodeGyp();
const nodedir = nodeDir();
if (!gyp || !nodedir) {
  console.warn(
    `smallscope: native matmul not built (${!gyp ? 'node-gyp not found' : 'Node headers not found'}); ` +
      'training will use the tfjs wasm backend alone',
  );
  process.exit(0);
}
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`], {
  cwd: dir,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
if (r.status !== 0) {
  console.warn(
    'smallscope: native matmul build failed; training will use the tfjs wasm backend alone.\n' +
      (r.stderr || r.stdout || String(r.error)).split('\n').slice(-15).join('\n'),
  );
  process.exit(0);
}
console.log('smallscope: built the native matmul (native/gemm)');
