/**
 * A small seeded PRNG (sfc32, Chris Doty-Humphrey's "small fast counting" generator) whose whole state is four
 * uint32 words, so it can be saved in a checkpoint and a resumed run draws exactly the numbers the
 * uninterrupted run would have drawn. Math.random cannot be seeded; tfjs's seeded ops keep hidden state.
 */
export type RngState = [number, number, number, number];

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** A second normal from the last Box-Muller pair; kept in the state too. */
  private spare: number | null = null;

  constructor(seed: number) {
    // Spread the seed over the state with splitmix32, then discard a few outputs so that nearby seeds
    // (0, 1, 2) start far apart.
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** k distinct items, in random order (partial Fisher-Yates). */
  sample<T>(items: readonly T[], k: number): T[] {
    const pool = items.slice();
    for (let i = 0; i < k; i++) {
      const j = i + this.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, k);
  }

  getState(): { words: RngState; spare: number | null } {
    return { words: [this.a, this.b, this.c, this.d], spare: this.spare };
  }

  setState(state: { words: RngState; spare: number | null }): void {
    [this.a, this.b, this.c, this.d] = state.words;
    this.spare = state.spare;
  }
}
