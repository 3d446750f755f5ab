/**
 * writeElems, which every float32 train(x, y) call uses to round the whole training set into backend memory: large
 * float64 arrays go through an ordinary buffer in chunks (faster than converting into shared memory directly). Checked
 * against Float32Array's own conversion, bit for bit, on lengths around the chunk size with the values where a wrong
 * rounding or a wrong offset would show, and end to end against trainStream (whose small chunks convert directly).
 */
import { describe, expect, it } from 'vitest';
import type { Backend } from '../src/backend.js';
import { Network } from '../src/index.js';
import { hostOf, readElems, writeElems } from '../src/internal/index.js';
import { BACKEND_DEFAULTS, useBackend } from './helpers/backends.js';
import { paramBits } from './helpers/data.js';
import { mulberry32 } from './helpers/rng.js';

/** Values whose float32 rounding is easy to get wrong: ties, subnormals, overflow to ±Infinity, -0, NaN. */
const SPECIAL = [
  0,
  -0,
  1 + 2 ** -24, // a tie: rounds to even (1)
  1 + 3 * 2 ** -24, // a tie: rounds to even (1 + 2^-22)
  2 ** -149, // the smallest float32 subnormal
  2 ** -150, // half of it: a tie, rounds to 0
  3 * 2 ** -151,
  1e-45,
  3.4028235677973366e38, // rounds to the float32 maximum
  3.4028235677973366e38 * (1 + 2 ** -25), // past the halfway point: Infinity
  -1e39,
  1e300,
  Infinity,
  -Infinity,
  NaN,
  Math.PI,
  -1 / 3,
];

function data(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++)
    a[i] = i % 7 === 3 ? SPECIAL[i % SPECIAL.length]! : (rand() - 0.5) * 10 ** (rand() * 12 - 6);
  return a;
}

const bits32 = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

for (const bc of BACKEND_DEFAULTS) {
  describe(`${bc.label} element IO`, () => {
    let backend!: Backend;
    useBackend(bc, (b) => (backend = b));

    it(`${bc.label} writeElems rounds float64 arrays into float32 blocks exactly as Float32Array does, at every length around the chunk size, and writes nothing past the block`, () => {
      const host = hostOf('test', backend);
      for (const n of [1, 5, 16_383, 16_384, 16_385, 32_768, 100_003]) {
        const src = data(n, n);
        const want = Float32Array.from(src);
        const p = host.allocBytes(n * 4 + 16, true);
        try {
          const at = p >> 2;
          host.f32()[at + n] = 12345; // a guard word after the block
          writeElems(host, 'float32', src, p);
          expect(bits32(host.f32().slice(at, at + n))).toEqual(bits32(want));
          expect(host.f32()[at + n]).toBe(12345);
          const back = readElems(host, 'float32', p, n);
          expect(bits32(Float32Array.from(back))).toEqual(bits32(want));
        } finally {
          host.freeBytes(p);
        }
      }
    });

    it(`${bc.label} writeElems of a float64 view of the same memory that overlaps the float32 destination equals converting a copy`, () => {
      const host = hostOf('test', backend);
      const n = 70_000;
      const p = host.allocBytes(n * 8, true);
      try {
        const src = data(n, 9);
        host.f64().set(src, p >> 3);
        // the float32 destination starts 1000 float64 elements into the float64 source
        writeElems(host, 'float32', host.f64().subarray(p >> 3, (p >> 3) + n / 2), p + 8000);
        const at = (p + 8000) >> 2;
        expect(bits32(host.f32().slice(at, at + n / 2))).toEqual(bits32(Float32Array.from(src.subarray(0, n / 2))));
      } finally {
        host.freeBytes(p);
      }
    });

    it(`${bc.label} a float32 network trained on 784-wide x in one call (converted in chunks) equals trainStream given the same rows 20 at a time (each converted directly)`, async () => {
      const n = 90,
        d = 784;
      const x = data(n * d, 3).map((v) => (Number.isFinite(v) ? Math.max(-4, Math.min(4, v)) : 0.5));
      const y = new Float64Array(n * 2);
      for (let r = 0; r < n; r++) y[r * 2 + (r % 2)] = 1;
      const opts = { layers: [d, 6, 2], seed: 5, backend, dtype: 'float32' as const };
      const a = await Network.create(opts);
      const b = await Network.create(opts);
      try {
        const train = { epochs: 2, batchSize: 16, learningRate: 0.05, shuffle: false };
        const la = a.train({ rows: n, cols: d, data: x }, { rows: n, cols: 2, data: y }, train).losses;
        const lb = (
          await b.trainStream(function* () {
            for (let r = 0; r < n; r += 20) {
              const k = Math.min(20, n - r);
              yield {
                x: { rows: k, cols: d, data: x.slice(r * d, (r + k) * d) },
                y: { rows: k, cols: 2, data: y.slice(r * 2, (r + k) * 2) },
              };
            }
          }, train)
        ).losses;
        expect(la).toEqual(lb);
        expect(paramBits(a.getParameters())).toEqual(paramBits(b.getParameters()));
      } finally {
        a.dispose();
        b.dispose();
      }
    });
  });
}
