import { alignedEvaluate, alignedTrainStep, regressionEvaluate, regressionTrainStep } from './losses';
import type { Params } from './models/params';
import type { ArchSpec } from './models/spec';
import type { AdamW } from './optim/adamw';
import { Rng } from './random';
import { evaluate, trainStep } from './step';
import { maskedBatch, maskedSeqLen, type MaskedBatch, type MaskedTaskConfig } from './tasks/masked-batches';
import { type CountingConfig } from './tasks/counting';
import { countingBatch } from './tasks/counting-batches';
import { shapesSample, type ShapesConfig } from './tasks/shapes';
import { loadTextTask, sampleWindows, validationBatches, type TrainTokenizer } from './tasks/text';

/**
 * One interface over the training tasks, so the loop (schedule, checkpoints, resume, metrics) is shared:
 * text is next-byte prediction on a corpus; selcopy / vselcopy are position-aligned masked text-to-text;
 * shapes is a regression (MSE); counting scores one count class per learned output query.
 */
export type TaskConfig =
  | { name: 'text'; corpus?: string; tokenizer?: TrainTokenizer }
  | MaskedTaskConfig
  | ({ name: 'shapes' } & ShapesConfig)
  | ({ name: 'counting' } & CountingConfig);

/** A batch of shapes signals: inputs and targets float [rows, size]. */
function shapesBatch(c: ShapesConfig, rng: Rng, rows: number) {
  const inputs = new Float32Array(rows * c.size);
  const targets = new Float32Array(rows * c.size);
  for (let r = 0; r < rows; r++) {
    const s = shapesSample(c, rng);
    inputs.set(s.input, r * c.size);
    targets.set(s.target, r * c.size);
  }
  return { inputs, targets, rows };
}

export interface EvalResult {
  loss: number;
  acc: number;
  mask_error?: number;
  sample_error?: number;
}

export interface TaskRunner {
  /** What goes into the manifest's `task`. */
  describe: Record<string, unknown> & { name: string };
  step(spec: ArchSpec, params: Params, opt: AdamW, rng: Rng, batch: number, lr: number): number;
  evaluate(spec: ArchSpec, params: Params): EvalResult;
}

export function makeRunner(
  task: TaskConfig,
  o: { seed: number; seqLen: number; batch: number; valBatches: number },
): TaskRunner {
  if (task.name === 'text') {
    const t = loadTextTask({
      corpus: task.corpus,
      tokenizer: task.tokenizer,
      seed: o.seed,
      seqLen: o.seqLen,
    });
    const valSet = validationBatches(t.val, o.batch, o.seqLen, o.valBatches);
    return {
      describe: { ...t.describe },
      step: (spec, params, opt, rng, batch, lr) =>
        trainStep(spec, params, opt, sampleWindows(t.train, rng, batch, o.seqLen), o.seqLen, lr),
      evaluate: (spec, params) => evaluate(spec, params, valSet, o.seqLen),
    };
  }
  if (task.name === 'shapes') {
    const valRng = new Rng((o.seed ^ 0x7f4a7c15) >>> 0);
    const valSet = Array.from({ length: o.valBatches }, () => shapesBatch(task, valRng, o.batch));
    return {
      describe: { ...task },
      step: (spec, params, opt, rng, batch, lr) =>
        regressionTrainStep(spec, params, opt, shapesBatch(task, rng, batch), lr),
      evaluate: (spec, params) => regressionEvaluate(spec, params, valSet),
    };
  }
  if (task.name === 'counting') {
    const valRng = new Rng((o.seed ^ 0x7f4a7c15) >>> 0);
    const valSet = Array.from({ length: o.valBatches }, () => countingBatch(task, valRng, o.batch));
    return {
      describe: { ...task },
      step: (spec, params, opt, rng, batch, lr) =>
        alignedTrainStep(spec, params, opt, countingBatch(task, rng, batch), task.length, lr),
      evaluate: (spec, params) => alignedEvaluate(spec, params, valSet, task.length),
    };
  }
  const seqLen = maskedSeqLen(task);
  // The validation set is fixed by the seed (its own stream), drawn with the validation op range.
  const valRng = new Rng((o.seed ^ 0x7f4a7c15) >>> 0);
  const valSet: MaskedBatch[] = Array.from({ length: o.valBatches }, () =>
    maskedBatch(task, valRng, o.batch, seqLen, true),
  );
  return {
    describe: { ...task, seq_len: seqLen },
    step: (spec, params, opt, rng, batch, lr) =>
      alignedTrainStep(spec, params, opt, maskedBatch(task, rng, batch, seqLen), seqLen, lr),
    evaluate: (spec, params) => alignedEvaluate(spec, params, valSet, seqLen),
  };
}

/** The sequence length a task trains at (masked tasks fix it; text takes --seq-len). */
export function taskSeqLen(task: TaskConfig, seqLen: number): number {
  if (task.name === 'shapes') return task.size;
  if (task.name === 'counting') return task.length;
  return task.name === 'text' ? seqLen : maskedSeqLen(task);
}
