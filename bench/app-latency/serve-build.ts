/**
 * `startServer` over a given build folder and checkpoint folder, for ab.js (`smallscope serve` always serves
 * build/): node --import tsx bench/app-latency/serve-build.ts BUILD_DIR CHECKPOINT_DIR. Prints its URL.
 */
import { startServer } from '../../bin/serve/server';

const [buildDir, checkpoints] = process.argv.slice(2);
const server = await startServer({ checkpoints: [checkpoints], host: '127.0.0.1', port: 0, buildDir });
const address = server.address();
if (!address || typeof address === 'string') throw new Error('no TCP address');
console.log(`http://127.0.0.1:${address.port}`);
