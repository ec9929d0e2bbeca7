import path from 'node:path';
import { Command, intArg, numArg, Option } from '../cli';
import { UsageError } from '../../probes/errors';
import { train, type TrainConfig } from '../../training/loop';
import { makeSpec } from '../../training/models/spec';

/**
 * `smallscope train`: train one of the seed's models on next-byte prediction and write DIR/model.onnx (with
 * its manifest), DIR/train_state.bin (for --resume) and DIR/metrics.jsonl.
 */
const HELP_AFTER = `
Writes into --out DIR:
  model.onnx        the checkpoint: logits + blocks.{l}.attn.hook_pattern (+ blocks.0.hook_conv_out), manifest inside
  train_state.bin   raw weights, AdamW moments, step and RNG state, for --resume
  metrics.jsonl     one line per evaluation: step, loss, lr, val_loss, val_acc, samples_per_s

The text task generates a corpus (seeded by --seed) in which invented names, phrases and random letter
blocks recur within a context, so copying from earlier in the context pays off (induction heads);
--corpus FILE trains on a UTF-8 text file instead (last 10% held out for validation).

Examples:
  smallscope train --arch conv-attn --task text --out runs/conv-attn --steps 3000 --lr 3e-3 --seq-len 64
  smallscope train --arch attn-attn --task text --corpus wiki.txt --out runs/aa --heads 2 --json
  smallscope train --arch conv-attn --task text --out runs/conv-attn --steps 6000 --resume`;

export function register(program: Command): void {
  program
    .command('train')
    .description('train a Conv-Attn or Attn-Attn model on next-byte prediction and save an ONNX checkpoint')
    .addOption(
      new Option('--arch <arch>', 'model: conv-attn (embed, causal conv, attention) or attn-attn')
        .choices(['conv-attn', 'attn-attn'])
        .makeOptionMandatory(),
    )
    .addOption(new Option('--task <task>', 'training task').choices(['text']).default('text'))
    .option(
      '--corpus <file>',
      'UTF-8 text file to train on (default: a generated corpus with recurring text)',
    )
    .requiredOption('--out <dir>', 'run folder for the checkpoint, training state and metrics')
    .option('--d-model <n>', 'width of the embedding and every layer', intArg('--d-model'), 64)
    .option('--heads <n>', 'attention heads per layer (d-model is split between them)', intArg('--heads'), 1)
    .option('--residual', 'add each layer to a residual stream (the seed has none)', false)
    .option('--pos-embed', 'add a learned positional embedding (the seed has none)', false)
    .option('--seq-len <n>', 'training context length in bytes', intArg('--seq-len', 2), 128)
    .option('--batch <n>', 'sequences per step', intArg('--batch'), 32)
    .option('--steps <n>', 'total optimiser steps (with --resume: the new total)', intArg('--steps'), 2000)
    .option('--lr <x>', 'peak learning rate (AdamW)', numArg('--lr'), 3e-4)
    .option(
      '--warmup <f>',
      'fraction of steps spent in linear warmup before the cosine decay',
      numArg('--warmup'),
      0.1,
    )
    .option('--weight-decay <x>', 'AdamW decoupled weight decay', numArg('--weight-decay'), 0.01)
    .option('--eval-every <n>', 'validate every N steps (default: steps/20)', intArg('--eval-every'))
    .option(
      '--checkpoint-every <n>',
      'save a checkpoint every N steps (default: steps/5) and at the end',
      intArg('--checkpoint-every'),
    )
    .option('--seed <n>', 'seed for init, data order and the generated corpus', intArg('--seed', 0), 0)
    .option('--resume', 'continue the run in --out from its last complete checkpoint', false)
    .option('--json', 'print one JSON summary on stdout at the end (and nothing else on stdout)', false)
    .addHelpText('after', HELP_AFTER)
    .action(async (o: Record<string, unknown>, cmd: Command) => {
      const steps = o.steps as number;
      if (!((o.lr as number) > 0)) throw new UsageError(`--lr must be > 0, got ${o.lr}`);
      const warmup = o.warmup as number;
      if (warmup < 0 || warmup > 1)
        throw new UsageError(`--warmup must be a fraction in [0, 1], got ${warmup}`);
      if ((o.weightDecay as number) < 0)
        throw new UsageError(`--weight-decay must be >= 0, got ${o.weightDecay}`);
      const dModel = o.dModel as number;
      const heads = o.heads as number;
      if (dModel % heads !== 0)
        throw new UsageError(`--d-model ${dModel} must be divisible by --heads ${heads}`);
      const seqLen = o.seqLen as number;
      const out = o.out as string;
      const arch = makeSpec(o.arch as 'conv-attn' | 'attn-attn', {
        d_model: dModel,
        n_heads: heads,
        residual: o.residual as boolean,
        pos_embed: o.posEmbed as boolean,
        max_seq: seqLen,
      });
      if (o.resume) {
        // The saved run defines the model and data; say so rather than silently ignoring a changed flag.
        const fixed = [
          'arch',
          'corpus',
          'dModel',
          'heads',
          'residual',
          'posEmbed',
          'seqLen',
          'batch',
          'lr',
          'warmup',
          'weightDecay',
          'seed',
        ];
        const given = fixed.filter((k) => cmd.getOptionValueSource(k) === 'cli' && k !== 'arch');
        if (given.length > 0) {
          process.stderr.write(
            `smallscope: --resume keeps the saved run's settings; ignoring ${given.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', ')}\n`,
          );
        }
      }
      const cfg: TrainConfig = {
        name: path.basename(path.resolve(out)),
        arch,
        task: { name: 'text', ...(o.corpus ? { corpus: o.corpus as string } : {}) },
        seed: o.seed as number,
        steps,
        batch: o.batch as number,
        seqLen,
        lr: o.lr as number,
        warmup,
        weightDecay: o.weightDecay as number,
        evalEvery: (o.evalEvery as number | undefined) ?? Math.max(1, Math.ceil(steps / 20)),
        checkpointEvery: (o.checkpointEvery as number | undefined) ?? Math.max(1, Math.ceil(steps / 5)),
        valBatches: 8,
      };
      const t0 = Date.now();
      const summary = await train(cfg, { out, resume: o.resume as boolean, progress: 'auto' });
      const wall = (Date.now() - t0) / 1000;
      process.stderr.write(
        `backend ${summary.backend}; ${summary.steps} steps in ${wall.toFixed(1)}s; val loss ${summary.val_loss.toFixed(4)}, val acc ${summary.val_acc.toFixed(4)}; wrote ${summary.checkpoint}\n`,
      );
      if (o.json) process.stdout.write(JSON.stringify({ ...summary, wall_s: wall }) + '\n');
    });
}
