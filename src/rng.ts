/** Seeded randomness: the only source fastnn uses for initialisation and shuffling (and the tests use too). */

/** mulberry32 with its state exposed, so a checkpoint can save and restore the exact position of the sequence. */
export class Mulberry32 {
  /** the 32-bit state (an unsigned integer) */
  state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** The next uniform number in [0, 1); the same sequence as mulberry32(seed). */
  next(): number {
    const a = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** mulberry32: a 32-bit seeded PRNG returning uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal N(0, 1) draws from a uniform generator, by the Box-Muller transform. */
export function normalFrom(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand(); // log(0) would be -Infinity
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
