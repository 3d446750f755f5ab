/** Small shared test helpers: seeded data and bit-exact parameter snapshots. */
import type { LayerParameters } from '../../src/network.js';
import { mulberry32 } from './rng.js';

/** `rows` rows of `cols` values uniform in [-scale, scale), from a seeded generator. */
export function randomRows(rows: number, cols: number, seed: number, scale = 1): number[][] {
  const r = mulberry32(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r() * 2 - 1) * scale));
}

/** Every parameter's 64 bits, so -0 and NaN payloads count too. */
export function paramBits(p: LayerParameters[]): bigint[] {
  const out: bigint[] = [];
  for (const { weights, biases } of p) {
    // element by element: a spread of a wide layer's million values overflows the call stack
    for (const a of [weights, biases])
      for (const b of new BigUint64Array(a.buffer, a.byteOffset, a.length)) out.push(b);
  }
  return out;
}
