import path from 'node:path';
import { UsageError } from '../format/errors';
import type { TrainConfig } from './loop';
import { convStackSpec, parseAttn, parseIntList } from './arch/conv-stack/spec';
import { lstmSpec } from './arch/lstm/model';
import { mambaSpec } from './arch/mamba/model';
import { makeSpec } from './models/spec';
import { taskSeqLen, type TaskConfig } from './task_runner';
import { validateMaskedTask } from './tasks/masked-batches';
import { readTrainTokenizer } from './tasks/train-tokenizer';
import { SHAPES_DEFAULTS, validateShapes } from './tasks/shapes';
import { COUNTING_DEFAULTS, validateCounting } from './tasks/counting';
import type { Schedule } from './optim/schedule';

/**
 * `smallscope train` options (as commander parses them, camelCase) to a validated TrainConfig. Every check
 * that can fail does so here, before a backend starts or a folder is written: a bad configuration costs one
 * line and exit code 2, not a crashed run.
 */
export type TrainOptions = Record<string, unknown>;

function range(flag: string, v: unknown, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback;
  const xs = parseIntList(flag, String(v));
  if (xs.length === 1) return [xs[0], xs[0]];
  if (xs.length !== 2) throw new UsageError(`${flag} must be N or MIN,MAX, got '${v}'`);
  if (xs[0] > xs[1]) throw new UsageError(`${flag} ${v}: MIN is above MAX`);
  return [xs[0], xs[1]];
}

export function taskFromOptions(o: TrainOptions): TaskConfig {
  const name = o.task as string;
  if (o.tokenizer !== undefined && name !== 'text')
    throw new UsageError(`--tokenizer trains over a tokenizer.json's vocabulary: use it with --task text`);
  if (name === 'text')
    return {
      name: 'text',
      ...(o.corpus ? { corpus: o.corpus as string } : {}),
      ...(o.tokenizer !== undefined ? { tokenizer: readTrainTokenizer(o.tokenizer as string) } : {}),
    };
  if (name === 'shapes') {
    const shapes = {
      ...SHAPES_DEFAULTS,
      ...(o.size !== undefined ? { size: o.size as number } : {}),
      ...(o.noiseStd !== undefined ? { noiseStd: o.noiseStd as number } : {}),
    };
    validateShapes(shapes);
    return { name: 'shapes', ...shapes };
  }
  if (name === 'counting') {
    const length =
      o.length !== undefined ? parseIntList('--length', String(o.length)) : [COUNTING_DEFAULTS.length];
    if (length.length !== 1) throw new UsageError(`--length for counting is one number (the input length)`);
    const counting = {
      length: length[0],
      letters: (o.letters as number | undefined) ?? COUNTING_DEFAULTS.letters,
      blank: (o.blank as number | undefined) ?? COUNTING_DEFAULTS.blank,
    };
    validateCounting(counting);
    return { name: 'counting', ...counting };
  }
  let task: TaskConfig;
  if (name === 'selcopy') {
    task = { name: 'selcopy', area: (o.area as number) ?? 40, letters: (o.letters as number) ?? 10 };
  } else if (name === 'vselcopy') {
    const ops = range('--ops', o.ops, [1, 5]);
    task = {
      name: 'vselcopy',
      items: (o.items as number) ?? 26,
      length: range('--length', o.length, [5, 5]),
      ops,
      valOps: range('--val-ops', o.valOps, ops),
      stack: Boolean(o.stack),
    };
  } else {
    throw new UsageError(
      `--task ${name} is not trainable yet in this version (text, selcopy and vselcopy are); see docs/reproduction.md`,
    );
  }
  validateMaskedTask(task);
  return task;
}

export function configFromOptions(o: TrainOptions): TrainConfig {
  const task = taskFromOptions(o);
  const arch = o.arch as string;
  const seqLen = taskSeqLen(task, o.seqLen as number);
  // The vocabulary of a tokenizer trained over (train --tokenizer); bytes otherwise.
  const vocab = task.name === 'text' && task.tokenizer ? { vocab: task.tokenizer.vocab } : {};
  if (task.name === 'shapes' && arch !== 'shapes-conv')
    throw new UsageError(`--task shapes is a regression on a signal: use --arch shapes-conv`);
  if (task.name === 'counting' && arch !== 'counting')
    throw new UsageError(`--task counting needs --arch counting (learned output queries)`);
  if (arch !== 'conv-stack' && (o.dilation !== undefined || o.attn !== undefined))
    throw new UsageError(`--dilation and --attn belong to --arch conv-stack, not ${arch}`);
  if (arch !== 'conv-stack' && arch !== 'lstm' && arch !== 'mamba' && o.layers !== undefined)
    throw new UsageError(`--layers belongs to --arch conv-stack, lstm or mamba, not ${arch}`);
  if (arch !== 'mamba' && o.dState !== undefined)
    throw new UsageError(`--d-state belongs to --arch mamba, not ${arch}`);
  if (arch !== 'lstm' && o.hidden !== undefined)
    throw new UsageError(`--hidden belongs to --arch lstm, not ${arch}`);
  let spec;
  if (arch === 'conv-stack') {
    const layers = (o.layers as number | undefined) ?? 3;
    let dilation = o.dilation !== undefined ? parseIntList('--dilation', String(o.dilation)) : [1];
    // One dilation for every layer, as the seed tables leave the column empty for all-1.
    if (dilation.length === 1 && layers > 1) dilation = Array<number>(layers).fill(dilation[0]);
    const attn = o.attn !== undefined ? parseAttn(String(o.attn)) : Array<0>(layers).fill(0);
    spec = convStackSpec({
      layers,
      channels: (o.channels as number | undefined) ?? 32,
      kernel: (o.kernel as number | undefined) ?? 7,
      dilation,
      attn,
      norm: ((o.norm as string | undefined) ?? 'layer') as 'none' | 'layer',
      seqLen,
    });
  } else if (arch === 'lstm') {
    // Seed 001's LSTM baseline: unidirectional, so it is causal and may also train on text.
    spec = lstmSpec({
      ...vocab,
      layers: (o.layers as number | undefined) ?? 6,
      hidden: (o.hidden as number | undefined) ?? 64,
      seqLen,
    });
  } else if (arch === 'mamba') {
    // Seed 001's Mamba baseline (mamba-minimal, expand 2, d_conv 4): causal, so it may also train on text.
    spec = mambaSpec({
      layers: (o.layers as number | undefined) ?? 6,
      dModel: o.dModel as number,
      dState: (o.dState as number | undefined) ?? 16,
      seqLen,
    });
  } else if (arch === 'shapes-conv') {
    if (task.name !== 'shapes')
      throw new UsageError(`--arch shapes-conv reads a signal: use it with --task shapes`);
    const kernel = (o.kernel as number | undefined) ?? 5;
    if (kernel % 2 !== 1)
      throw new UsageError(`--kernel ${kernel} is even: 'same' padding needs an odd kernel`);
    const channels = (o.channels as number | undefined) ?? 64;
    spec = {
      kind: 'shapes-conv' as const,
      vocab: 1,
      d_model: channels,
      n_heads: 1,
      residual: false,
      pos_embed: false,
      max_seq: seqLen,
      channels,
      kernel,
      layers: o.selfAttn ? 4 : 5,
      self_attn: Boolean(o.selfAttn),
      input: 'signal' as const,
    };
  } else if (arch === 'counting') {
    if (task.name !== 'counting')
      throw new UsageError(`--arch counting answers with counts: use it with --task counting`);
    spec = {
      kind: 'counting' as const,
      vocab: 256,
      d_model: o.dModel as number,
      n_heads: 1,
      residual: false,
      pos_embed: false,
      max_seq: task.length,
      out_steps: task.letters + 1,
      self_attn: Boolean(o.selfAttn),
    };
  } else if (arch === 'conv-attn' || arch === 'attn-attn') {
    const dModel = o.dModel as number;
    const heads = o.heads as number;
    if (dModel % heads !== 0)
      throw new UsageError(`--d-model ${dModel} must be divisible by --heads ${heads}`);
    if (task.name !== 'text')
      throw new UsageError(
        `--arch ${arch} is causal (next-byte); use --arch conv-stack for --task ${task.name}`,
      );
    spec = makeSpec(arch, {
      ...vocab,
      d_model: dModel,
      n_heads: heads,
      residual: o.residual as boolean,
      pos_embed: o.posEmbed as boolean,
      max_seq: seqLen,
    });
  } else {
    throw new UsageError(`--arch ${arch} is not trainable yet in this version; see docs/reproduction.md`);
  }
  if (task.name === 'text' && arch === 'conv-stack')
    throw new UsageError(
      `--arch conv-stack is not causal: it would see the next byte; train it on selcopy or vselcopy`,
    );
  const steps = o.steps as number;
  if (!((o.lr as number) > 0)) throw new UsageError(`--lr must be > 0, got ${o.lr}`);
  const warmup = o.warmup as number;
  if (warmup < 0 || warmup > 1) throw new UsageError(`--warmup must be a fraction in [0, 1], got ${warmup}`);
  const schedule = (o.schedule as string | undefined) ?? 'cosine';
  if (schedule !== 'cosine' && schedule !== 'constant')
    throw new UsageError(`--schedule must be cosine or constant, got ${schedule}`);
  if ((o.weightDecay as number) < 0)
    throw new UsageError(`--weight-decay must be >= 0, got ${o.weightDecay}`);
  return {
    name: path.basename(path.resolve(o.out as string)),
    arch: spec,
    task,
    seed: o.seed as number,
    steps,
    batch: o.batch as number,
    seqLen,
    lr: o.lr as number,
    warmup,
    schedule: schedule as Schedule,
    weightDecay: o.weightDecay as number,
    evalEvery: (o.evalEvery as number | undefined) ?? Math.max(1, Math.ceil(steps / 20)),
    checkpointEvery: (o.checkpointEvery as number | undefined) ?? Math.max(1, Math.ceil(steps / 5)),
    valBatches: (o.valBatches as number | undefined) ?? 8,
  };
}
