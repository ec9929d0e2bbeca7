/**
 * `smallscope serve`'s server over another build folder, in a process of its own, for tests that change the
 * served files (tests/app/server/vanished-file.test.ts): node --import tsx serve-build.ts BUILD_DIR CHECKPOINTS
 */
import type { AddressInfo } from 'node:net';
import { startServer } from '../../../bin/serve/server';

const [buildDir, checkpoints] = process.argv.slice(2);
const server = await startServer({ checkpoints: [checkpoints], host: '127.0.0.1', port: 0, buildDir });
process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
