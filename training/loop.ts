import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../format/errors';
import type { HistoryPoint } from '../format/manifest';
import { architecture } from './arch';
import { initBackend } from './backend';
import { hasCheckpoint, METRICS_FILE, MODEL_FILE, recoverCheckpoint, saveCheckpoint } from './checkpoint';
import { writeFileAtomic } from './export/atomic';
import { buildManifest } from './export/manifest';
import { buildOnnx } from './export/onnx';
import {
  disposeParams,
  initParams,
  paramCount,
  paramsFromValues,
  paramValues,
  type Params,
} from './models/params';
import type { ArchSpec } from './models/spec';
import { AdamW, ADAMW_DEFAULTS } from './optim/adamw';
import { learningRate, type Schedule } from './optim/schedule';
import { makeProgress } from './progress';
import { Rng } from './random';
import { makeRunner, type EvalResult, type TaskConfig } from './task_runner';

/** Everything that defines a run; saved in the training state and (most of it) in the manifest. */
export interface TrainConfig {
  name: string;
  arch: ArchSpec;
  task: TaskConfig;
  seed: number;
  steps: number;
  batch: number;
  seqLen: number;
  lr: number;
  warmup: number;
  /** Learning-rate schedule after the warmup; absent in states saved before it existed: cosine. */
  schedule?: Schedule;
  weightDecay: number;
  evalEvery: number;
  checkpointEvery: number;
  /** Number of fixed validation batches per evaluation. */
  valBatches: number;
}

export interface RunOptions {
  out: string;
  resume: boolean;
  progress?: 'auto' | 'plain' | 'quiet';
  /** Stop after this step (after its checkpoint, if one is due), as if killed there (tests of --resume). */
  stopAfter?: number;
}

export interface TrainSummary {
  checkpoint: string;
  params: number;
  steps: number;
  batch: number;
  seq_len: number;
  samples_per_s: number;
  loss: number;
  val_loss: number;
  val_acc: number;
  backend: string;
  /** masked tasks: fractions (the table prints them as %); null for text */
  mask_error: number | null;
  sample_error: number | null;
  train_time_s: number;
  /** text: what it was trained on (source, bytes; for the Brown corpus the documents of each side) */
  corpus?: Record<string, unknown>;
}

export const SUMMARY_FILE = 'summary.json';

/**
 * Train (or resume) a run into `opts.out`: the data sampler, init and schedule are all seeded, so a run that
 * is interrupted and resumed from its last checkpoint ends exactly where an uninterrupted one does.
 */
export async function train(cfgIn: TrainConfig, opts: RunOptions): Promise<TrainSummary> {
  const backend = await initBackend();
  mkdirSync(opts.out, { recursive: true });
  if (!opts.resume && hasCheckpoint(opts.out)) {
    throw new UsageError(
      `${opts.out} already holds a checkpoint: pass --resume to continue it, or choose another --out`,
    );
  }
  // Leftovers of a killed run (temp files, a state whose model never landed) are cleared either way.
  const found = recoverCheckpoint<TrainConfig>(opts.out, opts.resume);
  const saved = found?.state;
  if (opts.resume && !saved) throw new UsageError(`--resume: no checkpoint in ${opts.out} to resume from`);
  // A resumed run keeps its model, data and optimiser settings; only its length and cadence may change.
  const cfg: TrainConfig = saved
    ? {
        ...saved.config,
        steps: cfgIn.steps,
        evalEvery: cfgIn.evalEvery,
        checkpointEvery: cfgIn.checkpointEvery,
      }
    : cfgIn;
  const progress = makeProgress(opts.progress ?? 'auto');
  const task = makeRunner(cfg.task, cfg);

  // Init draws from one stream, batches from another, so changing the model does not change the data order.
  const dataRng = new Rng((cfg.seed ^ 0x5bd1e995) >>> 0);
  let params: Params;
  let history: HistoryPoint[] = [];
  let step = 0;
  if (saved) {
    const old = architecture(cfg.arch).oldLayout?.(Object.keys(saved.params));
    if (old) throw new UsageError(`${opts.out} holds ${old}: this version cannot resume it; train it again`);
    params = paramsFromValues(cfg.arch, saved.params);
    dataRng.setState(saved.rng);
    history = saved.history;
    step = saved.step;
  } else {
    params = initParams(cfg.arch, new Rng(cfg.seed));
  }
  // Metric lines are rewritten from the checkpoint's history: lines written after it (or by a fresh run
  // killed before its first checkpoint) are dropped, and so is a half-written last line.
  writeFileAtomic(path.join(opts.out, METRICS_FILE), history.map((h) => JSON.stringify(h) + '\n').join(''));
  // Restored from the checkpoint, so the first evaluation after a resume averages the same steps.
  let lossSum = saved?.lossAcc?.sum ?? 0;
  let lossCount = saved?.lossAcc?.count ?? 0;
  const opt = new AdamW(params, { ...ADAMW_DEFAULTS, weightDecay: cfg.weightDecay });
  if (saved) opt.restore(saved.step, saved.m, saved.v);
  const nParams = paramCount(cfg.arch);

  const checkpoint = async () => {
    const weights = await paramValues(params);
    const { m, v } = await opt.moments();
    const state = {
      config: cfg,
      step,
      rng: dataRng.getState(),
      history,
      params: weights,
      m,
      v,
      lossAcc: { sum: lossSum, count: lossCount },
    };
    const manifest = buildManifest({
      name: cfg.name,
      tokenizer: cfg.task.name === 'text' ? cfg.task.tokenizer?.json : undefined,
      arch: cfg.arch,
      task: { ...task.describe },
      training: {
        seed: cfg.seed,
        steps: cfg.steps,
        batch: cfg.batch,
        seq_len: cfg.seqLen,
        lr: cfg.lr,
        warmup: cfg.warmup,
        weight_decay: cfg.weightDecay,
        backend: backend.name,
        optimizer: 'adamw',
        schedule: (cfg.schedule ?? 'cosine') === 'cosine' ? 'cosine-with-warmup' : 'constant-with-warmup',
      },
      step,
      params: nParams,
      history,
      weights,
    });
    saveCheckpoint(opts.out, state, buildOnnx(cfg.arch, weights, manifest));
  };

  // A model.onnx that is not the one saved with the state (a write interrupted in an older version, or
  // replaced by hand) is exported again from the state before training goes on.
  if (found && !found.modelMatches) await checkpoint();
  progress.start(cfg.steps, step);
  let trainSeconds = 0;
  let trainedSteps = 0;
  let lastLoss = NaN;
  let last: EvalResult = { loss: NaN, acc: NaN };
  const sps = () => (trainSeconds > 0 ? (trainedSteps * cfg.batch) / trainSeconds : 0);
  try {
    while (step < cfg.steps) {
      const lr = learningRate(cfg.schedule ?? 'cosine', step, cfg.steps, cfg.lr, cfg.warmup);
      const t0 = performance.now();
      lastLoss = task.step(cfg.arch, params, opt, dataRng, cfg.batch, lr);
      trainSeconds += (performance.now() - t0) / 1000;
      trainedSteps++;
      step++;
      if (!Number.isFinite(lastLoss))
        throw new Error(`the loss diverged (${lastLoss}) at step ${step}: lower --lr`);
      lossSum += lastLoss;
      lossCount++;
      progress.update(step, { loss: lastLoss, lr, samplesPerS: sps() });

      const final = step === cfg.steps;
      if (step % cfg.evalEvery === 0 || final) {
        last = task.evaluate(cfg.arch, params);
        const point: HistoryPoint = {
          step,
          loss: lossSum / lossCount,
          lr,
          val_loss: last.loss,
          ...(Number.isFinite(last.acc) ? { val_acc: last.acc } : {}),
          ...(last.mask_error !== undefined ? { mask_error: last.mask_error } : {}),
          ...(last.sample_error !== undefined ? { sample_error: last.sample_error } : {}),
          samples_per_s: sps(),
          elapsed_s: trainSeconds,
        };
        lossSum = 0;
        lossCount = 0;
        history.push(point);
        appendFileSync(path.join(opts.out, METRICS_FILE), JSON.stringify(point) + '\n');
        const errs =
          last.mask_error !== undefined
            ? `, mask error ${(100 * last.mask_error).toFixed(2)}%, sample error ${(100 * last.sample_error!).toFixed(2)}%`
            : '';
        progress.note(
          `step ${step}: train loss ${point.loss!.toFixed(4)}, val loss ${last.loss.toFixed(4)}, val acc ${Number.isFinite(last.acc) ? last.acc.toFixed(4) : '-'}${errs}`,
        );
      }
      if (step % cfg.checkpointEvery === 0 || final) await checkpoint();
      if (opts.stopAfter !== undefined && step >= opts.stopAfter && !final) return finish();
    }
    if (trainedSteps === 0) {
      // Resumed at or past the target: evaluate so the summary reports the checkpoint's numbers.
      last = task.evaluate(cfg.arch, params);
    }
  } finally {
    progress.stop();
  }
  return finish();

  /** The summary, after releasing the model and optimizer tensors. */
  function finish(): TrainSummary {
    const summary = summaryBase();
    writeFileAtomic(path.join(opts.out, SUMMARY_FILE), JSON.stringify(summary, null, 2) + '\n');
    opt.dispose();
    disposeParams(params);
    return summary;
  }
  function summaryBase(): TrainSummary {
    return {
      checkpoint: path.join(opts.out, MODEL_FILE),
      params: nParams,
      steps: step,
      batch: cfg.batch,
      seq_len: cfg.seqLen,
      samples_per_s: sps(),
      loss: lastLoss,
      val_loss: last.loss,
      val_acc: last.acc,
      backend: backend.name,
      mask_error: last.mask_error ?? null,
      sample_error: last.sample_error ?? null,
      train_time_s: trainSeconds,
      ...(cfg.task.name === 'text' ? { corpus: corpusOf(task.describe) } : {}),
    };
  }
}

/** The text task's description without its name: the corpus a text run trained on. */
function corpusOf(describe: Record<string, unknown>): Record<string, unknown> {
  const { name: _name, ...rest } = describe;
  return rest;
}
