import { Command, Option, intArg } from '../cli';
import { PLANS, SCALES, SEED_IDS, type Scale, type SeedId } from '../../reproduce/index';
import { reproduce } from '../reproduce/run';

/** `smallscope reproduce SEED --out DIR [--scale quick|full]`: one seed's experiment, table, figures and report. */
export function register(program: Command): void {
  program
    .command('reproduce')
    .description(
      "run one seed's experiment and write its run table, figures and REPORT.md (seed numbers beside ours)",
    )
    .addArgument(program.createArgument('<seed>', 'the seed experiment').choices([...SEED_IDS]))
    .requiredOption('--out <dir>', 'folder for runs/, table.md, figures/, REPORT.md and reproduce.json')
    .addOption(
      new Option(
        '--scale <scale>',
        "quick: minutes, a first look; full: the seed's own sizes (hours to days here)",
      )
        .choices([...SCALES])
        .default('quick'),
    )
    .option(
      '--steps <n>',
      'train every run only N steps: a smoke test of the pipeline, not a reproduction (REPORT.md says so)',
      intArg('--steps'),
    )
    .option(
      '--finished',
      'train nothing: report on the runs already finished in DIR/runs (the headline runs must be among them; the rest are listed as not run)',
      false,
    )
    .option('--json', 'print one JSON document (verdict, checks, numbers, files) on stdout at the end', false)
    .addHelpText(
      'after',
      `
Writes into --out DIR:
  runs/NAME/      one run folder per configuration of the seed's grid (docs/grids/SEED-quick.json or the full
                  grid); finished runs are skipped and interrupted ones resumed, so running again completes it
  table.md        the run table, as \`smallscope table DIR/runs\` prints it
  figures/*.svg   the seed's figures (curves, receptive fields, attention maps, conv filters)
  REPORT.md       the headline claim, the seed's numbers beside ours, the checks and whether the direction held
  reproduce.json  the seed, scale and result (a folder holds one plan: another seed or scale needs another DIR)

Examples:
  smallscope reproduce seed000 --out repro/seed000             # quick: about a minute or two per seed here
  smallscope reproduce seed002 --scale full --out repro/seed002-full
  smallscope reproduce seed000 --scale full --out repro/seed000-full --finished   # the rows that ran so far`,
    )
    .action(
      async (
        seed: SeedId,
        o: { out: string; scale: Scale; steps?: number; finished: boolean; json: boolean },
      ) => {
        const command = [
          'smallscope reproduce',
          seed,
          '--out',
          o.out,
          '--scale',
          o.scale,
          ...(o.steps !== undefined ? ['--steps', String(o.steps)] : []),
          ...(o.finished ? ['--finished'] : []),
        ].join(' ');
        const result = await reproduce(
          {
            plan: PLANS[seed],
            scale: o.scale,
            out: o.out,
            steps: o.steps ?? null,
            finished: o.finished,
            log: (l) => process.stderr.write(`${l}\n`),
          },
          command,
        );
        if (!result) process.exitCode = 1;
        else if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      },
    );
}
