/**
 * The command lines of run.js, ab.js and profile.js: `--help` prints the script's header comment, and a bad
 * option is one line and exit 2.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** parseArgs for the script at `scriptUrl` (its import.meta.url), with --help added; exits on --help or bad input. */
export function parseCommandLine(scriptUrl, config) {
  let parsed;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    console.error(`${err.message} (see --help)`);
    process.exit(2);
  }
  if (parsed.values.help) {
    const header = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(fileURLToPath(scriptUrl), 'utf8'))?.[1] ?? '';
    console.log(header.replace(/^ \* ?/gm, '').trim());
    process.exit(0);
  }
  return parsed;
}
