import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../format/onnx/model';
import {
  findCheckpoint,
  METRICS_FILE,
  MODEL_FILE,
  PENDING_STATE_FILE,
  TEMP_FILE_RE,
} from '../../training/checkpoint';
import { rng } from '../reliability/mutate';

/**
 * Interrupted training: `smallscope train` is SIGKILLed at random moments, half of them while a checkpoint is
 * being written (SMALLSCOPE_CHECKPOINT_PAUSE_MS holds each step of the write open, and the test kills as soon
 * as it sees one under way). After every kill the run folder must hold a complete, matching checkpoint, and
 * `--resume` from it must reproduce the uninterrupted run's metrics. SMALLSCOPE_KILL_RUNS sets the number of
 * kills (default 6).
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'bin/smallscope.js');
const KILLS = Number(process.env.SMALLSCOPE_KILL_RUNS ?? 6);
const STEPS = 240;
const ARGS = [
  'train',
  '--arch',
  'conv-attn',
  '--d-model',
  '16',
  '--seq-len',
  '16',
  '--batch',
  '4',
  '--steps',
  String(STEPS),
  '--lr',
  '3e-3',
  '--seed',
  '5',
  '--eval-every',
  '10',
  '--checkpoint-every',
  '3',
];
/** One checkpoint name the server would list: a plain `NAME.onnx` (see src/lib/server/checkpoints.ts). */
const LISTED = /^[\w.-]+\.onnx$/;

const scratch: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'smallscope-kill-'));
  scratch.push(dir);
  return dir;
};
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Metric {
  step: number;
  loss: number;
  val_loss: number;
}
const metrics = (dir: string): Metric[] =>
  readFileSync(path.join(dir, METRICS_FILE), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Metric);

/** Start a training run; resolves when it exits (by itself or killed). */
function startTrain(out: string, resume: boolean, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...ARGS, '--out', out, ...(resume ? ['--resume'] : [])], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every check a reader of the folder relies on; returns the step of the checkpoint found (0: none yet). */
function checkFolder(dir: string): { step: number; midWrite: boolean } {
  const names = readdirSync(dir);
  const midWrite = names.includes(PENDING_STATE_FILE) || names.some((n) => TEMP_FILE_RE.test(n));
  // Temp files are never mistaken for checkpoints: the only listable .onnx is model.onnx.
  expect(names.filter((n) => LISTED.test(n) && !n.startsWith('.'))).toEqual(
    names.includes(MODEL_FILE) ? [MODEL_FILE] : [],
  );
  const found = findCheckpoint<{ steps: number }>(dir);
  if (!found) {
    // Killed before the first checkpoint was complete: no model to mistake for one.
    expect(existsSync(path.join(dir, MODEL_FILE)) && existsSync(path.join(dir, 'train_state.bin'))).toBe(
      false,
    );
    return { step: 0, midWrite };
  }
  expect(found.modelMatches).toBe(true);
  const model = decodeModel(new Uint8Array(readFileSync(path.join(dir, MODEL_FILE))));
  expect(model.manifest, model.manifestError ?? '').not.toBeNull();
  expect(model.manifest!.step).toBe(found.state.step);
  expect(found.state.step % 3 === 0 || found.state.step === STEPS).toBe(true);
  return { step: found.state.step, midWrite };
}

describe('interrupted training', () => {
  it(`survives ${KILLS} SIGKILLs (half of them mid-checkpoint) with a complete checkpoint each time, and --resume reproduces the uninterrupted loss curve`, async () => {
    const straight = fresh();
    const base = spawnSync(process.execPath, [CLI, ...ARGS, '--out', straight], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(base.status, base.stderr).toBe(0);

    const dir = fresh();
    const r = rng(1234);
    const steps: number[] = [];
    let midWriteKills = 0;
    for (let k = 0; k < KILLS; k++) {
      const resume = findCheckpoint(dir) !== undefined;
      const run = startTrain(dir, resume, { SMALLSCOPE_CHECKPOINT_PAUSE_MS: '15' });
      if (k % 2 === 0) {
        // At a random moment (startup included).
        await Promise.race([sleep(800 + r() * 2500), run.exited]);
      } else {
        // As soon as a checkpoint write is seen under way, after a random number of them.
        const skip = Math.floor(r() * 15);
        let seen = 0;
        let was = false;
        const deadline = Date.now() + 15_000;
        while (Date.now() < deadline && run.child.exitCode === null) {
          const now = existsSync(path.join(dir, PENDING_STATE_FILE));
          if (now && !was && seen++ >= skip) break;
          was = now;
          await sleep(1);
        }
      }
      run.child.kill('SIGKILL');
      const { signal, code, stderr } = await run.exited;
      expect(signal === 'SIGKILL' || code === 0, stderr).toBe(true);
      const state = checkFolder(dir);
      if (state.midWrite) midWriteKills++;
      steps.push(state.step);
    }
    // Then to the end.
    for (;;) {
      const run = startTrain(dir, findCheckpoint(dir) !== undefined);
      const { code, stderr } = await run.exited;
      expect(code, stderr).toBe(0);
      break;
    }
    const final = checkFolder(dir);
    expect(final.step).toBe(STEPS);
    expect(readdirSync(dir).filter((n) => TEMP_FILE_RE.test(n) || n === PENDING_STATE_FILE)).toEqual([]);

    const a = metrics(straight);
    const b = metrics(dir);
    expect(b.map((m) => m.step)).toEqual(a.map((m) => m.step));
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs(b[i].loss - a[i].loss), `train loss at step ${a[i].step}`).toBeLessThan(1e-4);
      expect(Math.abs(b[i].val_loss - a[i].val_loss), `val loss at step ${a[i].step}`).toBeLessThan(1e-4);
    }
    console.log(
      `kills: ${KILLS} (${midWriteKills} with a checkpoint write under way), checkpoints found at steps ${steps.join(', ')}`,
    );
    expect(midWriteKills).toBeGreaterThan(0);
  });
});
