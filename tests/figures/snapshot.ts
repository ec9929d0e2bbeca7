import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * SVG snapshots as Observable Plot keeps them: readable in a diff, and strict in CI.
 *
 * - Readable: one element per line, indented by depth; each embedded raster (a heatmap's
 *   `data:image/png;base64,...`) is stored as its own file `NAME.K.png` and the SVG points at it, so a diff shows
 *   which element moved instead of one 10 kB line.
 * - Strict: a missing snapshot fails under `CI=true`; it is written only with `UPDATE_SNAPSHOTS=1` or outside CI.
 * - On a mismatch the new files are written beside the snapshot (`NAME.actual.svg`, `NAME.K.actual.png`).
 */
export interface Readable {
  svg: string;
  rasters: Buffer[];
}

const DATA_PNG = /href="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g;

/** The SVG one element a line, with its rasters taken out into `NAME.K.png` files. */
export function readableSvg(name: string, svg: string, suffix = ''): Readable {
  const rasters: Buffer[] = [];
  const linked = svg.replace(DATA_PNG, (_, b64: string) => {
    rasters.push(Buffer.from(b64, 'base64'));
    return `href="${name}.${rasters.length - 1}${suffix}.png"`;
  });
  // Break between tags only (never inside a text node), so every line is one tag with its text.
  // An element with no children stays on one line: <rect ...></rect>.
  const lines = linked
    .replace(/>\s*</g, '>\n<')
    .replace(/^(<([\w:-]+)(?:\s[^\n]*)?>)\n(<\/\2>)$/gm, '$1$3')
    .split('\n');
  let depth = 0;
  const out = lines.map((line) => {
    const closing = line.startsWith('</');
    if (closing) depth = Math.max(0, depth - 1);
    const indented = '  '.repeat(depth) + line;
    const selfContained = /^<[^/?!][^>]*>.*<\/[^>]+>$/.test(line) || line.endsWith('/>');
    if (!closing && !selfContained && /^<[^/?!]/.test(line)) depth++;
    return indented;
  });
  return { svg: out.join('\n') + '\n', rasters };
}

const update = () => process.env.UPDATE_SNAPSHOTS === '1';
const inCi = () => Boolean(process.env.CI) && process.env.CI !== 'false';

function rasterFiles(dir: string, name: string, actual: boolean): string[] {
  const re = new RegExp(`^${name}\\.\\d+${actual ? '\\.actual' : ''}\\.png$`);
  return readdirSync(dir).filter((f) => re.test(f));
}

function write(dir: string, name: string, r: Readable, actual: boolean): void {
  const tag = actual ? '.actual' : '';
  for (const f of rasterFiles(dir, name, actual)) rmSync(path.join(dir, f));
  writeFileSync(path.join(dir, `${name}${tag}.svg`), r.svg);
  r.rasters.forEach((png, k) => writeFileSync(path.join(dir, `${name}.${k}${tag}.png`), png));
}

/** Compare `svg` with the snapshot `dir/NAME.svg` (and its rasters); see the module comment for the rules. */
export function matchSvgSnapshot(dir: string, name: string, svg: string): void {
  const file = path.join(dir, `${name}.svg`);
  const want = readableSvg(name, svg);
  const clearActual = () => {
    rmSync(path.join(dir, `${name}.actual.svg`), { force: true });
    for (const f of rasterFiles(dir, name, true)) rmSync(path.join(dir, f));
  };
  if (update() || (!existsSync(file) && !inCi())) {
    write(dir, name, want, false);
    clearActual();
    return;
  }
  if (!existsSync(file)) {
    fail(`${name}.svg has no snapshot in ${dir}: run the tests with UPDATE_SNAPSHOTS=1 and commit it`);
  }
  const stored = readFileSync(file, 'utf8');
  const storedRasters = rasterFiles(dir, name, false)
    .sort()
    .map((f) => readFileSync(path.join(dir, f)));
  const same =
    stored === want.svg &&
    storedRasters.length === want.rasters.length &&
    storedRasters.every((b, k) => b.equals(want.rasters[k]));
  if (same) {
    clearActual();
    return;
  }
  write(dir, name, readableSvg(name, svg, '.actual'), true);
  fail(
    `${name}.svg differs from its snapshot: see ${name}.actual.svg in ${dir} (UPDATE_SNAPSHOTS=1 accepts)`,
  );
}

function fail(message: string): never {
  throw new Error(message);
}
