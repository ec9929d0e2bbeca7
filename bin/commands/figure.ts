import { UsageError } from '../../format/errors';
import { FIGURE_KINDS } from '../../figures/kinds';
import { Command, Option, intArg, numArg } from '../cli';
import { checkKind, closeAll, figureProps } from '../figures/build';
import { checkWritableDir, checkWritableFile, outputFormat, writeAtomic } from '../figures/output';
import { renderSvg, svgToPng } from '../../figures/render';
import { writeReport } from '../figures/report';
import { tokensFromFlags, type InputFlags } from '../model/files';
import { textContextFor, type TokenizerFlags } from '../model/tokenizer-files';
import { textOptions } from '../text-options';

/**
 * `smallscope figure KIND MODEL.onnx --out FILE.svg|FILE.png`: one figure for a writeup, drawn by the same
 * Svelte components as the app (figures/components), rendered on the server; and `smallscope figures MODEL --out
 * DIR`: the whole set with report.md and the raw data.
 */

interface FigureFlags extends InputFlags, TokenizerFlags {
  compare?: string;
  layer?: number;
  head?: number;
  position?: number;
  clean?: string;
  corrupt?: string;
  width: 'single' | 'double';
  scale?: number;
  dpi?: number;
  out: string;
}

const HELP = `
Kinds:
  attention  one head's pattern with token labels (--layer, --head)
  heads      every layer x head as small multiples
  compare    two models on the same text and their difference (--compare OTHER.onnx)
  induction  induction and previous-token scores per head (default input: random blocks repeated twice)
  filters    conv weights, out x in per tap
  taps       histogram of the conv weights per tap
  field      receptive field: |dy_t/de_s| by offset with the theoretical support
  curves     training curves from metrics.jsonl beside the model or the manifest history
  ablation   layer x head table of the loss change when each head's z is zeroed (probe ablate)
  patching   layer x head table of the logit difference each head's clean z recovers in the corrupt run
             (probe patch; --clean T --corrupt T, default corrupt: the clean text with its last token changed)

Sizes are in points: --width single is 3.25 in, double 6.75 in. PNG: --scale N (zoom over 96 dpi, default 2)
or --dpi D. The file is replaced only when the new one is complete.`;

function scaleOf(o: { scale?: number; dpi?: number }): number {
  if (o.scale !== undefined && o.dpi !== undefined) throw new UsageError('give only one of --scale, --dpi');
  const s = o.dpi !== undefined ? o.dpi / 96 : (o.scale ?? 2);
  if (!(s > 0 && s <= 20)) throw new UsageError(`the PNG scale must be in (0, 20], got ${s}`);
  return s;
}

export function register(program: Command): void {
  textOptions(
    program
      .command('figure')
      .description(`one figure as SVG or PNG: ${FIGURE_KINDS.join(', ')}`)
      .argument('<kind>', `figure kind: ${FIGURE_KINDS.join(', ')}`)
      .argument('<model>', 'ONNX model file')
      .option('--compare <other>', 'second model (figure compare)'),
  )
    .option('--tokens-file <file>', 'JSON file: an array of token-id arrays of equal length (a batch)')
    .option('--layer <l>', 'attention layer (attention, compare)', intArg('--layer', 0))
    .option('--head <h>', 'attention head (attention, compare)', intArg('--head', 0))
    .option('--position <t>', 'output position (field; default the last)', intArg('--position', 0))
    .option('--clean <text>', 'the clean input of figure patching (the same as --text)')
    .option('--corrupt <text>', 'the corrupted input of figure patching: as many tokens as the clean one')
    .addOption(new Option('--width <w>', 'column width').choices(['single', 'double']))
    .option('--scale <n>', 'PNG zoom over 96 dpi (default 2)', numArg('--scale'))
    .option('--dpi <d>', 'PNG resolution in dots per inch (instead of --scale)', numArg('--dpi'))
    .requiredOption('--out <file>', 'output file, .svg or .png')
    .addHelpText('after', HELP)
    .action(async (kindArg: string, model: string, o: FigureFlags) => {
      const kind = checkKind(kindArg);
      if (o.clean !== undefined || o.corrupt !== undefined) {
        if (kind !== 'patching') throw new UsageError('--clean and --corrupt are for figure patching');
        if (o.clean !== undefined && o.text !== undefined)
          throw new UsageError('give --clean or --text, not both');
        o.text ??= o.clean;
      }
      const format = outputFormat(o.out);
      checkWritableFile(o.out);
      const scale = scaleOf(o);
      // Text goes through the (first) model's tokenizer; its pieces label the axes.
      const text = o.text !== undefined ? textContextFor(model, o) : undefined;
      const given =
        o.text !== undefined || o.tokensFile !== undefined ? tokensFromFlags(o, false, text) : null;
      const corrupt =
        o.corrupt !== undefined
          ? tokensFromFlags({ text: o.corrupt }, false, textContextFor(model, o))
          : null;
      if (corrupt && !given) throw new UsageError('give the clean input too: --clean TEXT');
      const cache = new Map();
      try {
        const props = await figureProps(
          kind,
          {
            kind,
            model,
            compare: o.compare,
            tokens: given,
            text: o.text,
            label: text?.tokenizer?.label,
            layer: o.layer,
            head: o.head,
            position: o.position,
            width: o.width,
            corrupt,
            corruptText: o.corrupt,
          },
          cache,
        );
        const svg = await renderSvg(kind, props);
        writeAtomic(o.out, format === 'svg' ? svg : await svgToPng(svg, { scale }));
      } finally {
        await closeAll(cache);
      }
      process.stderr.write(`wrote ${o.out}\n`);
    });

  textOptions(
    program
      .command('figures')
      .description('every figure for a checkpoint (or a pair) with report.md, JSON and CSV data')
      .argument('<model>', 'ONNX model file')
      .option('--compare <other>', 'second model: adds the compare figures and its head scores'),
  )
    .option('--tokens-file <file>', 'JSON file: an array of token-id arrays of equal length (a batch)')
    .addOption(new Option('--width <w>', 'column width').choices(['single', 'double']))
    .option('--scale <n>', 'PNG zoom over 96 dpi (default 2)', numArg('--scale'))
    .option('--dpi <d>', 'PNG resolution in dots per inch (instead of --scale)', numArg('--dpi'))
    .option('--no-png', 'write only SVG')
    .requiredOption('--out <dir>', 'output folder (created if its parent exists)')
    .action(async (model: string, o: Omit<FigureFlags, 'layer' | 'head' | 'position'> & { png: boolean }) => {
      const scale = scaleOf(o);
      const text = o.text !== undefined ? textContextFor(model, o) : undefined;
      const given =
        o.text !== undefined || o.tokensFile !== undefined ? tokensFromFlags(o, false, text) : null;
      const written = await writeReport({
        model,
        compare: o.compare,
        tokens: given,
        text: o.text,
        label: text?.tokenizer?.label,
        width: o.width,
        out: o.out,
        png: o.png ? scale : null,
        checkDir: checkWritableDir,
      });
      process.stderr.write(`wrote ${written} files to ${o.out}\n`);
    });
}
