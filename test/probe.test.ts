/**
 * peakProbe (src/abi.ts), the bench's WASM f64 ceiling instrument: every backend build computes exactly the value
 * of the per-chain definition (24 chains s_i = i, `iterations` times s_i = s_i·m + c, then 0 + s_0 + … + s_23).
 * m is a power of two, so the products are exact and the relaxed build's fused multiply-add rounds like the others:
 * equality is bit-exact. The probe is internal (KernelHost.raw), not part of the public Backend.
 */
import { describe, expect, it } from 'vitest';
import { PROBE_CHAINS } from '../src/abi.js';
import type { Backend } from '../src/backend.js';
import { hostOf } from '../src/internal/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';

/** The definition, one chain at a time (no interleaving, no SIMD). */
function reference(iterations: number, m: number, c: number): number {
  let t = 0;
  for (let i = 0; i < PROBE_CHAINS; i++) {
    let s = i;
    for (let n = 0; n < iterations; n++) s = s * m + c;
    t += s;
  }
  return t;
}

const CASES: readonly [iterations: number, m: number, c: number][] = [
  [0, 0.5, 1], // no update: 0 + 1 + … + 23
  [1, 2, -3],
  [7, -0.5, 1.25],
  [1000, 1, 2 ** -10], // s_i = i + 1000/1024 exactly
  [1000, 0.5, 0.75], // every chain converges to 1.5
  [4099, 1, 2 ** -40],
];

describe('peakProbe reference', () => {
  it('has the closed forms the cases rely on (so the reference itself is checked)', () => {
    expect(reference(0, 0.5, 1)).toBe(276);
    expect(reference(1000, 1, 2 ** -10)).toBe(276 + 24 * (1000 / 1024));
    expect(reference(1000, 0.5, 0.75)).toBe(24 * 1.5);
    expect(PROBE_CHAINS).toBe(24);
  });
});

for (const bc of BACKENDS) {
  describe(`${bc.label} peakProbe`, () => {
    let be!: Backend;
    useBackend(bc, (b) => (be = b));
    it(`${bc.label} peakProbe equals the per-chain definition bit for bit`, () => {
      const probe = hostOf('test', be).raw;
      for (const [n, m, c] of CASES)
        expect(Object.is(probe.peakProbe(n, m, c), reference(n, m, c)), `peakProbe(${n}, ${m}, ${c})`).toBe(true);
    });
    it(`${bc.label} peakProbe depends on the iteration count and on both operands`, () => {
      const probe = hostOf('test', be).raw;
      const base = probe.peakProbe(100, 1, 2 ** -8);
      expect(probe.peakProbe(101, 1, 2 ** -8)).not.toBe(base);
      expect(probe.peakProbe(100, 0.5, 2 ** -8)).not.toBe(base);
      expect(probe.peakProbe(100, 1, 2 ** -7)).not.toBe(base);
    });
  });
}
