import cliProgress from 'cli-progress';

/**
 * Training progress on stderr: a live bar with ETA and samples/s when stderr is a terminal, plain periodic
 * lines otherwise (logs, CI, `2> file`), nothing when quiet. stdout stays free for `--json`.
 */
export interface Progress {
  start(total: number, startStep: number): void;
  update(step: number, fields: { loss: number; lr: number; samplesPerS: number }): void;
  /** A line that must be seen (evaluation results, checkpoints). */
  note(line: string): void;
  stop(): void;
}

export function makeProgress(mode: 'auto' | 'plain' | 'quiet'): Progress {
  if (mode === 'quiet') return { start() {}, update() {}, note() {}, stop() {} };
  if (mode === 'auto' && process.stderr.isTTY) return barProgress();
  return plainProgress();
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

function barProgress(): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'train |{bar}| {value}/{total} | loss {loss} | lr {lr} | {sps} samples/s | ETA {eta_formatted}',
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, startStep) => bar.start(total, startStep, { loss: '-', lr: '-', sps: '-' }),
    update: (step, f) =>
      bar.update(step, { loss: fmt(f.loss), lr: f.lr.toExponential(2), sps: f.samplesPerS.toFixed(0) }),
    // cli-progress redraws on the same line; print notes above it.
    note: (line) => {
      process.stderr.write('\r\x1b[2K' + line + '\n');
      bar.render();
    },
    stop: () => bar.stop(),
  };
}

function plainProgress(): Progress {
  let total = 0;
  let every = 1;
  let t0 = 0;
  let s0 = 0;
  return {
    start(t, startStep) {
      total = t;
      every = Math.max(1, Math.floor(t / 20));
      t0 = Date.now();
      s0 = startStep;
    },
    update(step, f) {
      if (step % every !== 0 && step !== total) return;
      const elapsed = (Date.now() - t0) / 1000;
      const eta = step > s0 ? ((total - step) * elapsed) / (step - s0) : NaN;
      process.stderr.write(
        `step ${step}/${total}  loss ${fmt(f.loss)}  lr ${f.lr.toExponential(2)}  ${f.samplesPerS.toFixed(0)} samples/s  ETA ${Number.isFinite(eta) ? Math.round(eta) + 's' : '-'}\n`,
      );
    },
    note: (line) => void process.stderr.write(line + '\n'),
    stop() {},
  };
}
