import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { Command, Option, intArg } from '../cli';
import { UsageError } from '../../format/errors';
import { startServer } from '../serve/server';

/** The demo checkpoints shipped with the package, used when no --checkpoints is given. */
const DEMO_CHECKPOINTS = fileURLToPath(new URL('../../static/checkpoints/', import.meta.url));

interface ServeFlags {
  checkpoints?: string[];
  port: number;
  host: string;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the web app: a checkpoint library and in-browser attention heatmaps (onnxruntime-web).',
    )
    .option(
      '--checkpoints <dir>',
      'folder of .onnx checkpoints; repeat for several (default: the demo checkpoints)',
      collect,
    )
    .addOption(
      new Option('--port <n>', 'port to listen on (0 picks a free one)')
        .default(5173)
        .argParser(intArg('--port', 0)),
    )
    .option('--host <host>', 'interface to listen on; 0.0.0.0 exposes the app to the network', '127.0.0.1')
    .action(async (flags: ServeFlags) => {
      const dirs = (flags.checkpoints ?? [DEMO_CHECKPOINTS]).map((d) => resolve(d));
      for (const dir of dirs) {
        if (!existsSync(dir) || !statSync(dir).isDirectory()) {
          throw new UsageError(`--checkpoints ${dir} is not a folder: give a folder holding .onnx files`);
        }
      }
      if (flags.port > 65535) throw new UsageError(`--port must be at most 65535, got ${flags.port}`);
      const server = await startServer({ checkpoints: dirs, host: flags.host, port: flags.port });
      const { port } = server.address() as AddressInfo;
      const shown = flags.host === '0.0.0.0' || flags.host === '::' ? 'localhost' : flags.host;
      const host = shown.includes(':') ? `[${shown}]` : shown;
      process.stdout.write(`smallscope serving ${dirs.join(', ')}\n  http://${host}:${port}/\n`);
      // Keep the process alive until interrupted; close cleanly so the port is released at once.
      const stop = () => server.close(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
