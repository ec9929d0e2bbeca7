import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagArgs, type SweepRun } from '../../training/sweep/grid';

/**
 * Running a sweep's runs, one `smallscope train` child process each (a crash or a bad configuration fails that
 * run only): a run whose folder holds summary.json is finished and skipped, one with a checkpoint or training
 * state is resumed, so running the same runs again completes them. Shared by `smallscope sweep` and
 * `smallscope reproduce`.
 */
const CLI = fileURLToPath(new URL('../smallscope.js', import.meta.url));

export const isFinished = (run: SweepRun, out: string) =>
  existsSync(path.join(out, run.name, 'summary.json'));

function runOne(run: SweepRun, out: string): Promise<{ ok: boolean; tail: string }> {
  const dir = path.join(out, run.name);
  const resume = existsSync(path.join(dir, 'train_state.bin')) || existsSync(path.join(dir, 'model.onnx'));
  const args = [CLI, 'train', ...flagArgs(run.flags), '--out', dir, ...(resume ? ['--resume'] : [])];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child.on('close', (code) => {
      const lines = err.split(/[\r\n]+/).filter((l) => l.trim());
      resolve({ ok: code === 0, tail: lines[lines.length - 1] ?? `exit ${code}` });
    });
  });
}

export interface SweepOutcome {
  trained: string[];
  skipped: string[];
  failed: string[];
}

/** Train every run into `out/NAME` in order, with a progress line per run on `log` (stderr). */
export async function runSweep(
  runs: SweepRun[],
  out: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<SweepOutcome> {
  mkdirSync(out, { recursive: true });
  const outcome: SweepOutcome = { trained: [], skipped: [], failed: [] };
  for (const [i, run] of runs.entries()) {
    const tag = `[${i + 1}/${runs.length}] ${run.name}`;
    if (isFinished(run, out)) {
      log(`${tag}: done already, skipped`);
      outcome.skipped.push(run.name);
      continue;
    }
    log(`${tag}: training`);
    const t0 = Date.now();
    const r = await runOne(run, out);
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    (r.ok ? outcome.trained : outcome.failed).push(run.name);
    log(`${tag}: ${r.ok ? 'done' : 'FAILED'} in ${s}s: ${r.tail}`);
  }
  return outcome;
}
