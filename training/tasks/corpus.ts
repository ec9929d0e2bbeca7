import { Rng } from '../random';

/**
 * A synthetic corpus in which things recur within a context window, so that copying from earlier in the
 * context (an induction head: "after a came b last time, so predict b") lowers the loss. Three kinds of
 * paragraphs, mixed at random:
 *
 *  - stories: template sentences about a few invented names (random syllable words) that come back again
 *    and again within the paragraph; a name's first letter predicts the rest only from the earlier mention;
 *  - letter repeats: a block of random distinct lowercase letters written 2-3 times in a row, sometimes
 *    separated by a space (the classic repeated-random-tokens induction task, in letters);
 *  - phrase repeats: a short random phrase of invented words repeated with other words between.
 *
 * Letter repeats are about half the bytes: they are the purest induction signal, and a one-layer model
 * (Conv-Attn) learns the head from them within a few thousand steps. Deterministic for a seed. Version tag goes into the manifest so a checkpoint names what it saw.
 */
export const CORPUS_GENERATOR = 'smallscope-repeats-v3';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.split('');
const ONSETS = [
  'b',
  'd',
  'f',
  'g',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'z',
  'br',
  'dr',
  'kr',
  'st',
  'th',
  'sh',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ei'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'th', 'x'];

const VERBS = [
  'met',
  'saw',
  'followed',
  'called',
  'helped',
  'waited for',
  'asked',
  'found',
  'told',
  'thanked',
];
const PLACES = [
  'the river',
  'the old mill',
  'the market',
  'the hill',
  'the station',
  'the garden',
  'the harbour',
];
const LINKS = ['Later', 'Then', 'After that', 'Soon', 'In the morning', 'At night', 'Once again'];

/** An invented word of 1-3 syllables, e.g. "drouvel". */
export function inventWord(rng: Rng, syllables = 1 + rng.int(3)): string {
  let w = '';
  for (let i = 0; i < syllables; i++) w += rng.pick(ONSETS) + rng.pick(VOWELS) + rng.pick(CODAS);
  return w;
}

const capital = (w: string) => w[0].toUpperCase() + w.slice(1);

function story(rng: Rng): string {
  const names = Array.from({ length: 2 + rng.int(3) }, () => capital(inventWord(rng, 2 + rng.int(2))));
  const place = `${rng.pick(PLACES)} of ${capital(inventWord(rng, 2))}`;
  const sentences: string[] = [];
  for (let i = 0, n = 2 + rng.int(3); i < n; i++) {
    const [a, b] = rng.sample(names, 2);
    const s =
      rng.next() < 0.5
        ? `${a} ${rng.pick(VERBS)} ${b} at ${place}.`
        : `${rng.pick(LINKS)}, ${a} ${rng.pick(VERBS)} ${b}.`;
    sentences.push(s);
  }
  return sentences.join(' ');
}

// Separators between copies, as in the PyTorch reference's repeat data.
const SEPARATORS = ' \n.,|-#;'.split('');

function letterRepeats(rng: Rng): string {
  // 16-31 random letters drawn WITH replacement: a block of distinct letters (a partial permutation) let the
  // model lower its loss by ruling out letters already seen in the block, and it never found the induction head.
  const block = Array.from({ length: 16 + rng.int(16) }, () => rng.pick(LETTERS)).join('');
  const copies = [block];
  for (let c = 1, n = 2 + rng.int(2); c < n; c++) {
    const sep = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(SEPARATORS)).join('');
    copies.push(sep + block);
  }
  return copies.join('');
}

function phraseRepeats(rng: Rng): string {
  const phrase = Array.from({ length: 2 + rng.int(3) }, () => inventWord(rng)).join(' ');
  const parts: string[] = [];
  for (let i = 0, n = 2 + rng.int(3); i < n; i++) {
    parts.push(phrase);
    parts.push(Array.from({ length: 1 + rng.int(3) }, () => inventWord(rng)).join(' '));
  }
  return parts.join(' ') + '.';
}

/** About `bytes` bytes (ASCII, so characters = bytes) of corpus text, paragraphs separated by newlines. */
export function generateCorpus(seed: number, bytes: number): string {
  const rng = new Rng(seed);
  const out: string[] = [];
  let n = 0;
  while (n < bytes) {
    const r = rng.next();
    const p = r < 0.2 ? story(rng) : r < 0.85 ? letterRepeats(rng) : phraseRepeats(rng);
    out.push(p);
    n += p.length + 1;
  }
  return out.join('\n').slice(0, bytes);
}
