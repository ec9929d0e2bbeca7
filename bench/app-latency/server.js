/** Starting the app's server for run.js and ab.js. */
import { spawn } from 'node:child_process';

/**
 * Run `node ARGS` (a server that prints its URL), resolved with that URL; rejected with what it printed when it
 * exits first or prints no URL within 30 s. `label` names it in those errors.
 */
export function serve(args, { cwd, label }) {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${label} printed no URL in 30 s:\n${out}`)), 30_000);
    const read = (chunk) => {
      out += chunk.toString();
      const m = /http:\/\/[^\s]+:\d+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with code ${code}:\n${out}`));
    });
  });
  return { child, url };
}
